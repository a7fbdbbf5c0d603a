/**
 * Capability specs (see src/shell/capabilities.ts) of package managers and container tools, one
 * set of options for all their sub-commands (what the handlers in packages.ts and
 * infrastructure.ts judge by sub-command). Installing runs packages' scripts, so they can all run
 * code: an option that is not listed is asked.
 */
import type { SpecSource } from '../capabilities';

const NPM_COMMON =
  'save S save-dev D save-optional O save-exact E save-peer save-prod P no-save global g prefix=:C C=:C w= workspace= workspaces ws include-workspace-root no-workspaces if-present ignore-scripts legacy-peer-deps force f audit no-audit fund no-fund prefer-offline prefer-online offline omit= include= production dry-run package-lock no-package-lock package-lock-only loglevel= silent s quiet q verbose d dd ddd json long l parseable p depth= all a registry= userconfig=:r globalconfig=:r cache=:C tag= access= otp= yes y no-yes foreground-scripts install-links strict-peer-deps engine-strict install-strategy= color= no-color unicode progress no-progress timing version v help h usage call=:x c=:x package= node-options=:l script-shell=:p shell=:p before= os= cpu= libc= no-update-notifier update-notifier= provenance browser= lockfile-version= bin-links no-bin-links global-style fetch-retries= fetch-timeout= maxsockets= https-proxy= proxy= noproxy= strict-ssl no-strict-ssl ca= cafile=:r scope= auth-type= git-tag-version no-git-tag-version sign-git-tag commit-hooks no-commit-hooks m= message= preid= allow-same-version pack-destination=:w tag-version-prefix= include-staged expect-results= expect-result-count= sbom-format= sbom-type= searchopts= searchexclude= searchlimit= editor=:p viewer= which= recursive r';

export const PACKAGE_SPECS: Readonly<Record<string, SpecSource>> = {
  npm: { can: 'rwxn', opts: NPM_COMMON },
  pnpm: {
    can: 'rwxn',
    opts: `${NPM_COMMON} filter= F= parallel stream aggregate-output workspace-root frozen-lockfile no-frozen-lockfile prefer-frozen-lockfile shamefully-hoist dir=:C dev prod optional reporter= use-stderr no-bail resume-from= sort no-sort changed-files-ignore-pattern= test-pattern= fix-lockfile lockfile-only ignore-pnpmfile pnpmfile=:l shell-emulator report-summary latest L interactive i depth= r recursive`,
  },
  yarn: {
    can: 'rwxn',
    opts: 'D dev P peer O optional E exact T tilde W ignore-workspace-root-check frozen-lockfile immutable immutable-cache pure-lockfile prefer-offline offline cwd=:C modules-folder=:C ignore-engines ignore-scripts ignore-optional network-timeout= production=? silent verbose json no-progress force check-files flat har link-duplicates non-interactive registry= update-checksums focus mode= inline-builds refresh-lockfile all A interactive i top-level recursive R tags= include= exclude= parallel p topological t topological-dev jobs= v version h help no-default-rc use-yarnrc=:r',
  },
  npx: { can: 'rwxn', posix: true, opts: 'y yes no p= package= c=:x call=:x q quiet ignore-existing shell=? node-options=:l prefix=:C w= workspace= workspaces ws include-workspace-root h help v version' },
  pnpx: { can: 'rwxn', posix: true, opts: 'y yes p= package= c=:x call=:x q quiet' },
  bunx: { can: 'rwxn', posix: true, opts: 'bun p= package= silent verbose' },
  pip: {
    can: 'rwxn',
    opts: 'r=:r requirement=:r c=:r constraint=:r e= editable= U upgrade upgrade-strategy= force-reinstall I ignore-installed no-deps user target=:C t=:C prefix=:C root=:C src=:C no-cache-dir cache-dir=:C index-url= i= extra-index-url= no-index find-links= f= trusted-host= pre q quiet v verbose y yes break-system-packages require-hashes no-build-isolation no-binary= only-binary= prefer-binary progress-bar= dry-run report=:w compile no-compile no-warn-script-location no-warn-conflicts disable-pip-version-check python=:p isolated proxy= timeout= retries= exists-action= log=:w config-settings= C= use-pep517 no-use-pep517 check-build-dependencies ignore-requires-python json format= o outdated u uptodate l local not-required include-editable exclude-editable exclude= path=:C all-files d= dest=:C w= wheel-dir=:C h help V version',
  },
  poetry: {
    can: 'rwxn',
    opts: 'no-root only= only-root with= without= sync E= extras= all-extras all-groups no-dev dev D G= group= lock no-update dry-run C=:C directory=:C P=:C project=:C q quiet v vv vvv verbose n no-interaction ansi no-ansi no-plugins no-cache r= repository= u= username= p= password= build skip-existing tree latest outdated top-level why format= f= output=:w without-hashes with-credentials editable e optional allow-prereleases source= python= platform= markers= h help V version',
  },
  uv: {
    can: 'rwxn',
    opts: 'python= p= with= with-requirements=:r with-editable= no-project project=:C directory=:C isolated frozen locked no-sync all-extras extra= dev no-dev group= only-dev only-group= no-group all-groups upgrade U upgrade-package= P= r=:r requirement=:r c=:r constraint=:r e= editable= system break-system-packages target=:C prefix=:C index-url= i= extra-index-url= index= default-index= f= find-links= no-index q quiet v verbose no-cache n cache-dir=:C offline native-tls color= env-file=:r no-env-file seed m module=! script=:p from= w= package= all-packages no-install-project no-editable refresh reinstall compile-bytecode link-mode= no-build-isolation allow-existing clear prompt= relocatable o=:w output-file=:w h help V version',
  },
  cargo: {
    can: 'rwxn',
    opts: 'release r locked frozen offline features= F= all-features no-default-features p= package= workspace all exclude= bin= bins example= examples test= tests bench= benches lib all-targets target= target-dir=:C j= jobs= keep-going message-format= v verbose vv q quiet color= manifest-path=:r config= Z= timings=? ignore-rust-version profile= future-incompat-report h help V version list explain= no-run no-fail-fast doc open document-private-items no-deps fix allow-dirty allow-staged allow-no-vcs broken-code edition edition-idioms check registry= index= token= dry-run no-verify vers= git= branch= tag= rev= path= root=:C force f dev build optional rename= no-optional default-features lockfile-path= artifact-dir=:C out-dir=:C bin-name= vcs= name= lib-name= precise= aggressive recursive= incompatible= no-track',
  },
  go: {
    can: 'rwxn',
    dash: true,
    opts: 'o=:w v x n a C=:C work race msan asan cover covermode= coverpkg= coverprofile=:w count= run= skip= bench= benchmem benchtime= short failfast json p= parallel= tags= ldflags= gcflags= asmflags= trimpath mod= modfile=:r buildmode= buildvcs= compiler= cpu= shuffle= fuzz= fuzztime= fuzzminimizetime= list= vet= exec=:p toolexec=:p overlay=:r pgo= i timeout= u t d e go= compat= tool fix l w m r cached json=? mod=? fmt json tags= installsuffix= linkshared pkgdir=:C blockprofile=:w cpuprofile=:w memprofile=:w mutexprofile=:w trace=:w outputdir=:C c args=? h help',
  },
  docker: {
    can: 'rwxn',
    opts: 'rm i interactive t tty d detach name= e= env= env-file=:r v= volume= mount= w= workdir= p= publish= P publish-all network= net= entrypoint=:x u= user= privileged cap-add= cap-drop= security-opt= pid= ipc= uts= userns= cgroupns= device= gpus= memory= m= cpus= restart= label= l= add-host= dns= hostname= h= platform= pull= init read-only tmpfs= ulimit= log-driver= log-opt= health-cmd=:x health-interval= no-healthcheck stop-signal= stop-timeout= shm-size= sig-proxy= a= attach= detach-keys= expose= link= runtime= group-add= q quiet f= file= filter= format= all a no-trunc s size last= n= latest follow tail= since= until= timestamps details build-arg= target= tag no-cache progress= secret= ssh= output= o= load push cache-from= cache-to= squash builder= iidfile=:w profile= project-name= project-directory=:C remove-orphans force-recreate no-recreate build no-build no-deps scale= abort-on-container-exit exit-code-from= wait timeout= volumes rmi= service-ports use-aliases no-start no-attach quiet-pull attach-dependencies context= c= H= host= D debug log-level= tls tlscacert= tlscert= tlskey= tlsverify config=:C index= privileged-without-host-devices digests no-stream no-color services images since= type= force-rm memory-swap= cpu-shares= cpuset-cpus= env-from= mac-address= ip= ip6= sysctl= storage-opt= volumes-from= annotation= cidfile=:w help version',
  },
};
