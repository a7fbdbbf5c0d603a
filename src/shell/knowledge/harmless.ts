/**
 * Programs the knowledge base knows by name alone: no entry of their own (those are in the domain
 * tables), quiet whatever their arguments. Two lists, because "quiet" is not "writes nothing":
 * READ_ONLY programs change no file, so no snapshot is needed before them; ROUTINE programs
 * (formatters, builds, test runners, patch, dos2unix, ...) may change files in the workspace, so
 * Airlock takes a snapshot first. Every name appears once, in one list, and in no domain table
 * (test/unit/shellKnowledge.test.ts).
 */

function names(text: string): readonly string[] {
  return text.split(/\s+/).filter(Boolean);
}

/** Change no file (writes come only from redirections, which are effects of their own). */
export const READ_ONLY_NAMES = names(`
  ls ll la dir vdir bat batcat less more wc grep egrep fgrep rg ag ack fd fdfind tree pwd true false test [ [[ :
  which whereis type file stat du df date printenv whoami id groups uname hostname uptime ps pgrep
  jq gojq uniq cut diff colordiff cmp comm basename dirname realpath readlink sleep seq od hexdump strings
  md5sum sha1sum sha224sum sha256sum sha384sum sha512sum shasum cksum b2sum column fold nl paste join expand unexpand
  cal bc dc expr factor numfmt uuidgen man help info tldr clear reset tput stty tty locale getconf nproc free
  lscpu lsblk lsof lspci lsusb arch nvidia-smi lsb_release sw_vers system_profiler vm_stat top htop btop iostat vmstat
  ping dig nslookup host whois traceroute netstat ss getent logname users who w last finger pinky journalctl dmesg
  mimetype identify ffprobe mediainfo tokei cloc scc glow mdcat pbpaste pbcopy xclip xsel say notify-send
  flake8 pylint pyright shellcheck hadolint yamllint
  alias unalias set shopt export declare typeset local readonly unset shift return exit break continue
  wait jobs fg bg disown umask ulimit hash cd pushd popd dirs read getopts let
`);

/** Quiet, but may change files in the workspace when they run: a snapshot comes first. */
export const ROUTINE_NAMES = names(`
  tsc eslint prettier black isort ruff mypy yq biome oxlint stylelint markdownlint shfmt rustfmt gofmt goimports dotnet-format
  pytest jest vitest mocha ava tap playwright cypress karma jasmine phpunit rspec minitest gotestsum golangci-lint staticcheck
  tsx ts-node cmake ninja meson bazel bazelisk buck sbt lein ant rustc clippy-driver gcc g++ cc c++ clang clang++ ld
  javac java kotlinc kotlin scalac swift swiftc zig nim crystal elixir mix erl iex rebar3 ghc cabal stack
  vite webpack rollup esbuild parcel swc babel turbo nx ng next nuxt astro remix svelte-kit expo storybook
  jsdoc typedoc tsdoc sphinx-build mkdocs hugo jekyll zola asciidoctor pandoc dot mmdc plantuml ctags gtags cscope
  code cursor codium open xdg-open wslview
  nvm fnm volta asdf pyenv rbenv goenv sdk jenv direnv corepack rustup
  iconv dos2unix unix2dos exiftool patch ssh-keygen ssh-add hyperfine
  pre-commit husky lint-staged tox nox cargo-watch create-react-app create-next-app create-vite degit
  nodemon concurrently npm-run-all run-s run-p wait-on serve http-server live-server json-server
  ncu npm-check-updates knip depcheck madge c8 nyc istanbul
`);

export const ROUTINE: ReadonlySet<string> = new Set(ROUTINE_NAMES);
/** Every program known by name alone. */
export const HARMLESS: ReadonlySet<string> = new Set([...READ_ONLY_NAMES, ...ROUTINE_NAMES]);
