/**
 * The launcher's fast client: the part of `.airlock/bin/airlock-hook` that, when a warm decider is
 * there (the VS Code window that has the folder open, or `airlock run`'s supervisor), forwards the
 * agent's payload over the decider's Unix socket in one `hook` request and prints the answer, so a
 * hook call costs a perl start and a round trip instead of a Node start. It is perl because perl is
 * where agents run (every Linux with git, macOS, Git for Windows) and starts in a few milliseconds;
 * on Linux it loads no module at all. It follows the same rules as `airlock hook`'s own thin client
 * (src/cli/hook.ts, src/bridge/client.ts and registry.ts): the same endpoints in the same order,
 * trusted only from directories that only this user can write, the same codes to go on or give up.
 *
 * It never decides anything itself. Exit 0 or 2: the decider's answer was printed. Exit 3: a decider
 * was reached but failed, went silent or the payload could not be read (the launcher then denies in
 * the agent's format). Anything else it cannot do (no perl, no decider, every decider declined) runs
 * the launcher again with AIRLOCK_NO_FAST=1 and the same payload: the full path decides.
 *
 * Arguments: the launcher's path, the agent id. It contains no single quote (it is embedded in the
 * launcher between single quotes).
 */
import { HOOK_DECLINED_CODES } from '../bridge/protocol';
import { ASK_ENV_VARS, HOOK_WATCHDOG_MS } from './adapter';
import { MAX_PAYLOAD_BYTES, STDIN_TIMEOUT_MS } from './hookRunner';

/** Exit status of the fast client for "deny": the launcher answers with the agent's own deny. */
export const FAST_CLIENT_DENY = 3;

/** The perl source (no single quotes). */
export function fastClientPerl(): string {
  const watchdogs = Object.entries(HOOK_WATCHDOG_MS)
    .map(([a, ms]) => `"${a}"=>${ms}`)
    .join(',');
  const askVars = ASK_ENV_VARS.map((v) => `"${v}"`).join(',');
  return String.raw`
my ($launcher, $agent) = @ARGV;
my %watchdog = (${watchdogs});
my @ask_env = (${askVars});
my $MAX = ${MAX_PAYLOAD_BYTES};
my $uid = $<;
sub deny { print STDERR "Agent Airlock: $_[0]\n"; exit ${FAST_CLIENT_DENY}; }
sub full {
  $ENV{AIRLOCK_NO_FAST} = "1";
  exec("/bin/sh", $launcher, $agent) or deny("cannot run $launcher: $!");
}
sub js { my $s = shift; $s =~ s/(["\\])/\\$1/g; $s =~ s/([\x00-\x1f\x7f])/sprintf("\\u%04x", ord($1))/ge; return "\"$s\""; }
# A small JSON reader for the registrations and the answers (both written by Airlock).
sub jv {
  my ($t) = @_;
  $$t =~ /\G\s*/gc;
  if ($$t =~ /\G"/gc) {
    my $s = "";
    while (1) {
      if ($$t =~ /\G([^"\\]+)/gc) { $s .= $1; }
      elsif ($$t =~ /\G\\u([0-9a-fA-F]{4})/gc) {
        my $c = hex($1);
        if ($c >= 0xD800 && $c < 0xDC00 && $$t =~ /\G\\u([dD][c-fC-F][0-9a-fA-F]{2})/gc) { $c = 0x10000 + (($c - 0xD800) << 10) + (hex($1) - 0xDC00); }
        my $ch = chr($c); utf8::encode($ch); $s .= $ch;
      }
      elsif ($$t =~ /\G\\(.)/gcs) { my %e = ("n", "\n", "t", "\t", "r", "\r", "b", "\b", "f", "\f"); $s .= exists $e{$1} ? $e{$1} : $1; }
      elsif ($$t =~ /\G"/gc) { return $s; }
      else { die "bad json\n"; }
    }
  }
  if ($$t =~ /\G\{/gc) {
    my %h;
    $$t =~ /\G\s*/gc;
    return \%h if $$t =~ /\G\}/gc;
    while (1) {
      my $k = jv($t); $$t =~ /\G\s*:/gc or die "bad json\n"; $h{$k} = jv($t);
      $$t =~ /\G\s*/gc;
      next if $$t =~ /\G,/gc;
      return \%h if $$t =~ /\G\}/gc;
      die "bad json\n";
    }
  }
  if ($$t =~ /\G\[/gc) {
    my @a;
    $$t =~ /\G\s*/gc;
    return \@a if $$t =~ /\G\]/gc;
    while (1) {
      push @a, jv($t);
      $$t =~ /\G\s*/gc;
      next if $$t =~ /\G,/gc;
      return \@a if $$t =~ /\G\]/gc;
      die "bad json\n";
    }
  }
  return $1 + 0 if $$t =~ /\G(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/gc;
  return 1 if $$t =~ /\Gtrue/gc;
  return 0 if $$t =~ /\Gfalse/gc;
  return undef if $$t =~ /\Gnull/gc;
  die "bad json\n";
}
sub parse_json { my $t = shift; my $v = eval { jv(\$t) }; return $v; }
# Where Airlock keeps its runtime files (src/bridge/registry.ts runtimeDir).
sub tmpdir {
  for my $k ("TMPDIR", "TMP", "TEMP") { my $v = $ENV{$k}; if (defined $v && $v ne "") { $v =~ s{(.)/$}{$1}; return $v; } }
  return "/tmp";
}
sub runtime_dir {
  return $ENV{AIRLOCK_RUNTIME_DIR} if defined $ENV{AIRLOCK_RUNTIME_DIR} && $ENV{AIRLOCK_RUNTIME_DIR} ne "";
  my $x = $ENV{XDG_RUNTIME_DIR};
  my $base = (defined $x && $x ne "" && -e $x) ? $x : tmpdir();
  $base =~ s{/+$}{} if length($base) > 1;
  return "$base/agent-airlock-$uid";
}
sub private_to_us { my @s = lstat($_[0]); return @s && -d _ && ($s[2] & 022) == 0 && $s[4] == $uid; }
sub contains {
  my ($f, $p) = @_;
  $f =~ s{/+$}{} if length($f) > 1;
  return 1 if $p eq $f;
  my $pre = $f eq "/" ? "/" : "$f/";
  return 0 if substr($p, 0, length($pre)) ne $pre;
  return substr($p, length($pre), 2) ne "..";
}
sub physical_cwd {
  my $c = readlink("/proc/self/cwd");
  return $c if defined $c && $c =~ m{^/} && $c !~ / \(deleted\)$/;
  require Cwd; return Cwd::getcwd();
}
my $cwd = physical_cwd();
deny("cannot tell the current directory") unless defined $cwd;

# The endpoints, best first: the terminal of a window (env), then live windows whose folder holds the cwd.
my @eps;
push @eps, [$ENV{AIRLOCK_SOCKET}, $ENV{AIRLOCK_TOKEN}, "env"] if ($ENV{AIRLOCK_SOCKET} // "") ne "" && ($ENV{AIRLOCK_TOKEN} // "") ne "";
my $rt = runtime_dir();
my $wd = "$rt/windows";
if (private_to_us($rt) && private_to_us($wd) && opendir(my $dh, $wd)) {
  my @found;
  for my $n (sort grep { /\.json$/ } readdir($dh)) {
    open(my $fh, "<", "$wd/$n") or next;
    local $/; my $r = parse_json(scalar <$fh>); close($fh);
    next unless ref($r) eq "HASH" && defined $r->{pid} && !ref($r->{pid}) && defined $r->{socket} && !ref($r->{socket}) && defined $r->{token} && !ref($r->{token}) && ref($r->{folders}) eq "ARRAY";
    next if grep { !defined $_ || ref($_) } @{$r->{folders}};
    next unless substr($r->{socket}, 0, length("$rt/s/")) eq "$rt/s/";
    next unless (kill(0, $r->{pid}) || ($! + 0) == 1) && -e $r->{socket};
    my $depth = -1;
    for my $f (@{$r->{folders}}) { $depth = length($f) if contains($f, $cwd) && length($f) > $depth; }
    push @found, [$r, $depth] if $depth >= 0;
  }
  closedir($dh);
  for my $e (sort { $b->[1] <=> $a->[1] || ($b->[0]{createdAt} // "") cmp ($a->[0]{createdAt} // "") } @found) {
    push @eps, [$e->[0]{socket}, $e->[0]{token}, "registry"] unless grep { $_->[0] eq $e->[0]{socket} && $_->[1] eq $e->[0]{token} } @eps;
  }
}
full() unless @eps;

my $watchdog = $ENV{AIRLOCK_HOOK_WATCHDOG_MS};
$watchdog = undef unless defined $watchdog && $watchdog =~ /^\d+(\.\d+)?$/ && $watchdog > 0;

# The payload, whole, within the limits of the hook (src/agents/hookRunner.ts readBounded), and never
# past a watchdog shorter than the stdin timeout (then the decider answers with the watchdog deny).
binmode(STDIN);
my ($payload, $problem) = ("", undef);
my ($stdin_s, $by_watchdog) = (${STDIN_TIMEOUT_MS / 1000}, 0);
if (defined $watchdog && $watchdog < ${STDIN_TIMEOUT_MS}) { $stdin_s = int(($watchdog + 999) / 1000); $by_watchdog = 1; }
eval {
  local $SIG{ALRM} = sub { die "timeout\n" };
  alarm($stdin_s);
  while (1) {
    my $n = sysread(STDIN, $payload, 65536, length($payload));
    die "read: $!\n" unless defined $n;
    last if $n == 0;
    if (length($payload) > $MAX) { $problem = "too-large"; last; }
  }
  alarm(0);
  1;
} or do { alarm(0); $problem = $@ eq "timeout\n" ? ($by_watchdog ? "watchdog" : "timeout") : "error"; };
deny("cannot read the hook payload") if defined $problem && $problem eq "error";

my $wait = (defined $watchdog ? $watchdog : ($watchdog{$agent} // 25000)) / 1000 + 2;
my $tty = open(my $t, "<", "/dev/tty") ? "true" : "false";
my @env = map { js($_) . ":" . js($ENV{$_}) } grep { defined $ENV{$_} } @ask_env;
my $log = ($ENV{AIRLOCK_HOOK_LOG} // "") ne "";
my $ws = $ENV{AIRLOCK_WORKSPACE} // "";
my $common = ",\"agent\":" . js($agent) . ",\"payloadHex\":\"" . (defined $problem ? "" : unpack("H*", $payload)) . "\""
  . (defined $problem ? ",\"stdinProblem\":\"$problem\"" : "")
  . ",\"cwd\":" . js($cwd) . ",\"env\":{" . join(",", @env) . "},\"tty\":$tty,\"log\":" . ($log ? "true" : "false")
  . ($ws =~ m{^/} ? ",\"installedFor\":" . js($ws) : "")
  . (defined $watchdog ? ",\"watchdogMs\":" . ($watchdog + 0) : "");
my %declined = map { $_ => 1 } (${HOOK_DECLINED_CODES.map((c) => `"${c}"`).join(', ')});
$SIG{PIPE} = "IGNORE";

for my $ep (@eps) {
  my ($sock, $token, $via) = @$ep;
  my ($s, $addr);
  if ($sock =~ m{^tcp://(127\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5})$}) {
    # The supervisor of airlock run, seen from inside its sandbox: loopback TCP only (src/bridge/client.ts).
    my ($ip, $port) = ($1, $2);
    socket($s, 2, 1, 0) or next;
    $addr = $^O eq "linux" ? pack("S n C4 x8", 2, $port, split(/\./, $ip)) : do { require Socket; Socket::pack_sockaddr_in($port, Socket::inet_aton($ip)) };
  } else {
    socket($s, 1, 1, 0) or next;
    $addr = $^O eq "linux" ? pack("S", 1) . $sock . "\0" : do { require Socket; Socket::pack_sockaddr_un($sock) };
  }
  my $ok = eval { local $SIG{ALRM} = sub { die "timeout\n" }; alarm(1); my $c = connect($s, $addr); alarm(0); $c; };
  alarm(0);
  next unless $ok;
  my $req = "{\"v\":1,\"type\":\"hook\",\"id\":\"fast-$$-" . time() . "\",\"token\":" . js($token) . ",\"via\":\"$via\"" . $common . "}\n";
  my $line = "";
  my $got = eval {
    local $SIG{ALRM} = sub { die "timeout\n" };
    alarm($wait);
    my $off = 0;
    while ($off < length($req)) { my $w = syswrite($s, $req, length($req) - $off, $off); die "write: $!\n" unless defined $w; $off += $w; }
    while (index($line, "\n") < 0) { my $n = sysread($s, $line, 65536, length($line)); die "read: $!\n" unless defined $n; die "closed\n" if $n == 0; }
    alarm(0);
    1;
  };
  alarm(0);
  close($s);
  unless ($got) {
    deny($@ eq "timeout\n" ? "the decider did not answer within $wait s, so the action is denied to be safe" : "the decider failed before answering ($@), so the action is denied to be safe");
  }
  my $res = parse_json(substr($line, 0, index($line, "\n")));
  deny("the decider sent an unreadable answer") unless ref($res) eq "HASH";
  unless ($res->{ok}) {
    next if $declined{$res->{code} // ""};
    deny("VS Code could not decide: " . ($res->{error} // "unknown error"));
  }
  my ($code, $out, $err) = ($res->{exitCode}, $res->{stdoutHex}, $res->{stderrHex});
  deny("the decider sent an incomplete answer") unless defined $code && $code =~ /^\d+$/ && defined $out && $out =~ /^(?:[0-9a-fA-F]{2})*$/ && defined $err && $err =~ /^(?:[0-9a-fA-F]{2})*$/;
  if ($log && defined $res->{logHex} && open(my $lf, ">>", $ENV{AIRLOCK_HOOK_LOG})) { binmode($lf); print $lf pack("H*", $res->{logHex}); close($lf); }
  binmode(STDOUT); binmode(STDERR);
  print STDOUT pack("H*", $out);
  print STDERR pack("H*", $err);
  exit($code + 0);
}

# Every decider declined: the full path, with the payload as it came.
deny("the hook payload did not arrive completely within ${STDIN_TIMEOUT_MS / 1000} s (stdin was not closed)") if defined $problem && $problem eq "timeout";
deny("Agent Airlock did not reach a decision in time, so the action is denied to be safe") if defined $problem && $problem eq "watchdog";
$ENV{AIRLOCK_NO_FAST} = "1";
pipe(my $r, my $w) or deny("cannot run the full hook: $!");
my $pid = fork();
deny("cannot run the full hook: $!") unless defined $pid;
if ($pid == 0) { close($w); open(STDIN, "<&", $r) or exit(${FAST_CLIENT_DENY}); exec("/bin/sh", $launcher, $agent) or exit(${FAST_CLIENT_DENY}); }
close($r);
binmode($w);
my $off = 0;
while ($off < length($payload)) { my $n = syswrite($w, $payload, length($payload) - $off, $off); last unless defined $n; $off += $n; }
if (defined $problem) { while (sysread(STDIN, my $chunk, 65536)) { last unless defined syswrite($w, $chunk); } }
close($w);
waitpid($pid, 0);
exit($? & 127 ? ${FAST_CLIENT_DENY} : $? >> 8);
`;
}
