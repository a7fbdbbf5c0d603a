/**
 * Capability specs (see src/shell/capabilities.ts) of the programs that change files, archive,
 * copy over the network and edit text in place. Their handlers (files.ts, network.ts, code.ts)
 * judge operands; the specs say which options exist, and which of them write, read or run.
 */
import type { SpecSource } from '../capabilities';

const COMPRESS = 'c stdout to-stdout d decompress uncompress f force k keep l list n no-name N name q quiet r recursive S= suffix= t test v verbose # best fast rsyncable synchronous T= threads= h help V version L license';

export const FILE_SPECS: Readonly<Record<string, SpecSource>> = {
  rm: { can: 'd', opts: 'f force i I interactive=? one-file-system no-preserve-root preserve-root=? r R recursive d dir v verbose help version' },
  rmdir: { can: 'd', opts: 'ignore-fail-on-non-empty p parents v verbose help version' },
  unlink: { can: 'd', opts: 'help version' },
  shred: { can: 'wd', opts: 'f force n= iterations= random-source=:r s= size= u remove=? v verbose x exact z zero help version' },
  srm: { can: 'wd', opts: 'd f l r R s v z help version' },
  rimraf: { can: 'd', opts: 'h help G glob no-glob no-preserve-root preserve-root v verbose i interactive no-filter impl= version' },
  trash: { can: 'd', opts: 'd directory f force i interactive r R recursive v verbose help version' },
  'trash-put': { can: 'd', opts: 'd directory f force i interactive r R recursive v verbose trash-dir= help version' },
  cp: {
    can: 'rw',
    opts: 'a archive attributes-only backup=? b copy-contents d debug f force i interactive H l link L dereference n no-clobber P no-dereference p preserve=? no-preserve= parents R r recursive reflink=? remove-destination sparse= strip-trailing-slashes s symbolic-link S= suffix= t= target-directory= T no-target-directory u update=? v verbose x one-file-system Z context=? keep-directory-symlink help version',
  },
  mv: {
    can: 'rwd',
    opts: 'b backup=? debug exchange f force i interactive n no-clobber no-copy strip-trailing-slashes S= suffix= t= target-directory= T no-target-directory u update=? v verbose Z context help version',
  },
  ln: { can: 'w', opts: 'b backup=? d F directory f force i interactive L logical n no-dereference P physical r relative s symbolic S= suffix= t= target-directory= T no-target-directory v verbose help version' },
  link: { can: 'w', opts: 'help version' },
  touch: { can: 'w', opts: 'a c no-create d= date= f h no-dereference m r=:r reference=:r t= time= help version' },
  mkdir: { can: 'w', opts: 'm= mode= p parents v verbose Z context=? help version' },
  mkfifo: { can: 'w', opts: 'm= mode= Z context=? help version' },
  mktemp: { can: 'w', opts: 'd directory u dry-run q quiet p=:C tmpdir=?:C t suffix= help version' },
  chmod: { can: 'ws', opts: 'c changes f silent quiet v verbose no-preserve-root preserve-root reference=:r R recursive help version' },
  chown: { can: 'ws', opts: 'c changes f silent quiet v verbose dereference h no-dereference from= no-preserve-root preserve-root reference=:r R recursive H L P help version' },
  chgrp: { can: 'ws', opts: 'c changes f silent quiet v verbose dereference h no-dereference no-preserve-root preserve-root reference=:r R recursive H L P help version' },
  chattr: { can: 'ws', opts: 'R V f v= p=' },
  truncate: { can: 'w', opts: 'c no-create o io-blocks r=:r reference=:r s= size= help version' },
  dd: { can: 'rw', opts: 'help version' },
  tee: { can: 'w', opts: 'a append i ignore-interrupts p output-error=? help version' },
  install: {
    can: 'rw',
    opts: 'b backup=? C compare d directory D g= group= m= mode= o= owner= p preserve-timestamps s strip strip-program=:p S= suffix= t= target-directory= T no-target-directory v verbose Z context=? debug help version',
  },
  patch: {
    can: 'rw',
    opts: 'b backup B=:C prefix=:C backup-if-mismatch no-backup-if-mismatch binary c context d=:C directory=:C D= ifdef= dry-run e ed E remove-empty-files f force F= fuzz= g= get= help i=:r input=:r l ignore-whitespace merge=? n normal N forward o=:w output=:w p= strip= posix quoting-style= r=:w reject-file=:w R reverse read-only= s quiet silent t batch T set-time u unified v version V= version-control= verbose Y= basename-prefix= z= suffix= Z set-utc',
  },
  dos2unix: { can: 'rw', opts: 'a ascii b keep-bom c= convmode= D= display-enc= e add-eol f force gb18030 h help i=? info=? k keepdate L license l newline m add-bom n:W newfile:W no-allow-chown allow-chown O to-stdout o oldfile q quiet r remove-bom s safe u keep-utf16 ul assume-utf16le ub assume-utf16be v verbose F follow-symlink R replace-symlink S skip-symlink V version' },
  unix2dos: { can: 'rw', opts: 'a ascii b keep-bom c= convmode= D= display-enc= e add-eol f force gb18030 h help i=? info=? k keepdate L license l newline m add-bom n:W newfile:W no-allow-chown allow-chown O to-stdout o oldfile q quiet r remove-bom s safe u keep-utf16 ul assume-utf16le ub assume-utf16be v verbose F follow-symlink R replace-symlink S skip-symlink V version' },
  sort: {
    can: 'rwx',
    args: 'read',
    opts: 'b ignore-leading-blanks d dictionary-order f ignore-case g general-numeric-sort i ignore-nonprinting M month-sort h human-numeric-sort n numeric-sort R random-sort random-source=:r r reverse sort= V version-sort batch-size= c check=? C compress-program=:x debug files0-from=:r k= key= m merge o=:w output=:w s stable S= buffer-size= t= field-separator= T= temporary-directory= parallel= u unique z zero-terminated help',
  },
  uniq: { can: 'rw', opts: 'c count d repeated D all-repeated=? f= skip-fields= group=? i ignore-case s= skip-chars= u unique z zero-terminated w= check-chars= help version' },
  split: { can: 'rw', opts: 'a= suffix-length= additional-suffix= b= bytes= C= line-bytes= d numeric-suffixes=? x hex-suffixes=? e elide-empty-files filter=:x l= lines= n= number= separator= t= u unbuffered verbose help version' },
  csplit: { can: 'rw', opts: 'b= suffix-format= f= prefix= k keep-files suppress-matched n= digits= s quiet silent z elide-empty-files help version' },
  xxd: { can: 'rw', opts: 'a autoskip b bits C capitalize c= cols= E EBCDIC e g= groupsize= h help i include l= len= n= name= o= offset= p ps postscript plain r revert d s= seek= u v version R=' },
  base64: { can: 'rw', args: 'read', opts: 'd decode D i ignore-garbage w= wrap= b= break= o=:w output=:w help version' },
  base32: { can: 'rw', args: 'read', opts: 'd decode i ignore-garbage w= wrap= help version' },
  gbase64: { can: 'rw', args: 'read', opts: 'd decode i ignore-garbage w= wrap= help version' },
  sed: {
    can: 'rwx',
    opts: 'n quiet silent debug e= expression= f=:r file=:r follow-symlinks i=? in-place=? l= line-length= posix E r regexp-extended s separate sandbox u unbuffered z null-data help version',
  },
  gsed: {
    can: 'rwx',
    opts: 'n quiet silent debug e= expression= f=:r file=:r follow-symlinks i=? in-place=? l= line-length= posix E r regexp-extended s separate sandbox u unbuffered z null-data help version',
  },
  awk: { can: 'rwx', posix: true, opts: 'F= field-separator= v= assign= f=:p file=:p e= source= i=:p include=:p l=:l load=:l b characters-as-bytes c traditional C copyright d=? dump-variables=? D=? debug=? E=:p exec=:p g gen-pot h help I trace L=? lint=? M bignum N use-lc-numeric n non-decimal-data o=? pretty-print=? O optimize p=? profile=? P posix r re-interval s no-optimize S sandbox t lint-old V version' },
  gawk: { can: 'rwx', posix: true, opts: 'F= field-separator= v= assign= f=:p file=:p e= source= i=:p include=:p l=:l load=:l b characters-as-bytes c traditional C copyright d=? dump-variables=? D=? debug=? E=:p exec=:p g gen-pot h help I trace L=? lint=? M bignum N use-lc-numeric n non-decimal-data o=? pretty-print=? O optimize p=? profile=? P posix r re-interval s no-optimize S sandbox t lint-old V version' },
  mawk: { can: 'rwx', posix: true, opts: 'F= v= f=:p W= version' },
  nawk: { can: 'rwx', posix: true, opts: 'F= v= f=:p version' },
  find: {
    can: 'rwdx',
    dash: true,
    opts: 'name= iname= path= ipath= wholename= iwholename= regex= iregex= lname= ilname= type= xtype= maxdepth= mindepth= mtime= mmin= atime= amin= ctime= cmin= newer= anewer= cnewer= newermt= newerct= newerat= size= empty user= group= uid= gid= nouser nogroup perm= links= inum= samefile= used= fstype= print print0 printf= ls prune quit delete exec execdir ok okdir fprint= fprint0= fprintf= fls= follow xdev mount depth daystart regextype= noleaf ignore_readdir_race noignore_readdir_race readable writable executable true false not and or o a H L P O1 O2 O3 D= context= help version',
  },
  xargs: {
    can: 'x',
    posix: true,
    opts: '0 null a=:r arg-file=:r d= delimiter= E= e=? eof=? I= i=? replace=? L= l=? max-lines=? n= max-args= o open-tty p interactive P= max-procs= process-slot-var= r no-run-if-empty s= max-chars= show-limits t verbose x exit help version',
  },
  tar: {
    can: 'rwdx',
    opts:
      'A catenate concatenate c create d diff compare delete r append t list test-label u update x extract get f= file= C= directory= z gzip gunzip ungzip j bzip2 J xz zstd lzip lzma lzop Z compress uncompress a auto-compress I=:x use-compress-program=:x v verbose k keep-old-files keep-newer-files skip-old-files overwrite overwrite-dir no-overwrite-dir recursive-unlink remove-files unlink-first U m touch p preserve-permissions same-permissions no-same-permissions same-owner no-same-owner numeric-owner owner= group= mode= mtime= exclude= exclude-from=:r exclude-vcs exclude-vcs-ignores exclude-caches X=:r T=:r files-from=:r null h dereference hard-dereference P absolute-names strip-components= transform= xform= wildcards no-wildcards anchored no-anchored ignore-case O to-stdout to-command=:x checkpoint=? checkpoint-action=:x totals=? warning= W verify b= blocking-factor= B read-full-records i ignore-zeros S sparse l check-links one-file-system n seek no-seek M multi-volume L= tape-length= F=:x info-script=:x new-volume-script=:x rsh-command=:x rmt-command=:x force-local g=:w listed-incremental=:w G incremental level= format= H=? posix V= label= sort= acls no-acls selinux no-selinux xattrs no-xattrs xattrs-include= xattrs-exclude= show-transformed-names show-stored-names index-file=:w utc s preserve-order same-order delay-directory-restore no-delay-directory-restore q quiet help version usage',
  },
  zip: {
    can: 'rwdx',
    opts: '# r recurse-paths q quiet v verbose u update f freshen d delete m move:d j junk-paths D no-dir-entries e encrypt P= password= x= exclude= i= include= T test TT=:x unzip-command=:x y symlinks z comment o latest-time X no-extra A adjust-sfx l to-crlf L license ll from-crlf n= suffixes= b=:C temp-path=:C g grow F fix FF fixfix s= split-size= sp split-pause sb split-bell sv split-verbose O=:w output-file=:w ws wildcards-only la log-append lf=:w logfile-path=:w li log-info dg display-globaldots ds= display-bytes dd display-dots du display-usize dv display-volume MM must-match nw no-wild R recurse-patterns S system k DF dif h help h2 more-help',
  },
  unzip: { can: 'rw', opts: '# l t v z Z f u n o j C a aa b B d=:C x= q qq p c K L M N s V W X Y P= T D DD O= I= U UU h hh help' },
  gzip: { can: 'rwd', opts: COMPRESS },
  gunzip: { can: 'rwd', opts: COMPRESS },
  zcat: { can: 'r', args: 'read', opts: COMPRESS },
  bzip2: { can: 'rwd', opts: COMPRESS + ' s small z compress' },
  bunzip2: { can: 'rwd', opts: COMPRESS + ' s small' },
  xz: { can: 'rwd', opts: COMPRESS + ' z compress e extreme F= format= C= check= M= memlimit= no-sparse' },
  unxz: { can: 'rwd', opts: COMPRESS },
  zstd: { can: 'rwd', opts: COMPRESS + ' o=:w rm:d z compress ultra long=? B= D=:r memory= no-check exclude-compressed progress no-progress' },
  '7z': { can: 'rwd', dash: true, opts: 'o*:C p* r* y t* m* x* i* so si bb* bs* scrc* sdel:d w* mmt* snl snh ao* sse ssc* ssw spf* v* bt an ax* ai* slt sccUTF-8 sfx* stl' },
  rsync: {
    can: 'rwdxn',
    opts: 'a archive r recursive v verbose q quiet c checksum R relative backup b backup-dir=:C suffix= u update inplace append append-verify d dirs l links L copy-links copy-unsafe-links safe-links munge-links k copy-dirlinks K keep-dirlinks H hard-links p perms E executability chmod= A acls X xattrs o owner g group devices specials D t times U atimes N crtimes O omit-dir-times J omit-link-times super fake-super S sparse preallocate n dry-run W whole-file x one-file-system B= block-size= e=:x rsh=:x rsync-path=:x existing ignore-existing remove-source-files:d del delete delete-before delete-during delete-delay delete-after delete-excluded ignore-missing-args delete-missing-args ignore-errors force max-delete= max-size= min-size= partial partial-dir= delay-updates m prune-empty-dirs numeric-ids usermap= groupmap= chown= timeout= contimeout= I ignore-times size-only modify-window= T= temp-dir= y fuzzy compare-dest= copy-dest= link-dest= z compress compress-choice= zc= compress-level= zl= skip-compress= C cvs-exclude f= filter= F exclude= exclude-from=:r include= include-from=:r files-from=:r 0 from0 s protect-args secluded-args trust-sender copy-as= address= port= sockopts= blocking-io outbuf= stats 8 8-bit-output h human-readable progress P i itemize-changes M= remote-option= out-format= log-file=:w log-file-format= password-file=:r early-input=:r list-only bwlimit= stop-after= stop-at= fsync write-batch=:w only-write-batch=:w read-batch=:r protocol= iconv= checksum-seed= 4 6 ipv4 ipv6 version help info= debug= stderr= mkpath open-noatime no-*',
  },
  scp: { can: 'rwxn', opts: '3 4 6 A B C c= D= F=:r i=:r J= l= O o= P= p q R r S=:p T v X=' },
  sftp: { can: 'rwxn', opts: '4 6 A a B= b=:r C c= D= F=:r f i=:r J= l= N o= P= p q R= r S=:p s= v X=' },
  ssh: { can: 'xn', opts: '1 2 4 6 A a B= b= C c= D= E=:w e= F=:r f G g I= i=:r J= K k L= l= M m= N n O= o= p= P= Q= q R= S= s T t V v W= w= X x Y y' },
  curl: {
    can: 'rwn',
    opts: 'd= data= data-binary= data-raw= data-ascii= data-urlencode= F= form= form-string= T= upload-file= o= output= O remote-name remote-name-all J remote-header-name H= header= X= request= u= user= A= user-agent= e= referer= b= cookie= c=:w cookie-jar=:w x= proxy= m= max-time= connect-timeout= retry= retry-delay= retry-max-time= retry-all-errors retry-connrefused w= write-out= K=:r config=:r cacert=:r capath=:r cert= key=:r E= r= range= s silent S show-error f fail fail-with-body L location k insecure v verbose i include I head G get compressed json= url= resolve= connect-to= interface= limit-rate= max-filesize= oauth2-bearer= aws-sigv4= variable= expand-url= trace=:w trace-ascii=:w trace-time stderr=:w netrc n netrc-file=:r netrc-optional http0.9 http1.0 http1.1 http2 http2-prior-knowledge http3 http3-only tlsv1 tlsv1.0 tlsv1.1 tlsv1.2 tlsv1.3 tls-max= ssl ssl-reqd proto= proto-redir= proto-default= create-dirs D=:w dump-header=:w z= time-cond= C= continue-at= Y= speed-limit= y= speed-time= 0 4 6 ipv4 ipv6 a append B use-ascii l list-only q disable M manual V version h help=? no-progress-meter progress-bar # N no-buffer no-keepalive no-sessionid keepalive-time= unix-socket= abstract-unix-socket= path-as-is g globoff noproxy= proxy-user= U= proxy-insecure socks5= socks5-hostname= socks4= p proxytunnel digest basic ntlm negotiate anyauth location-trusted max-redirs= post301 post302 post303 request-target= tr-encoding raw ignore-content-length Z parallel parallel-max= parallel-immediate fail-early etag-save=:w etag-compare=:r output-dir= remove-on-error alt-svc=:w hsts=:w doh-url= cert-type= key-type= pass= pinnedpubkey= ciphers= styled-output no-styled-output mail-from= mail-rcpt= ssl-no-revoke ssl-allow-beast no-clobber skip-existing compressed-ssh tcp-nodelay tcp-fastfile ftp-pasv ftp-create-dirs rate= url-query= write-out= w= retry-connrefused',
  },
  wget: {
    can: 'rwn',
    opts: 'O= output-document= P= directory-prefix= o=:w output-file=:w a=:w append-output=:w post-file= post-data= body-file= body-data= U= user-agent= header= method= t= tries= T= timeout= e=:l execute=:l i=:r input-file=:r user= password= ask-password l= level= q quiet v verbose nv no-verbose S server-response spider c continue N timestamping r recursive np no-parent k convert-links K backup-converted p page-requisites m mirror nc no-clobber x force-directories nd no-directories nH no-host-directories cut-dirs= A= accept= R= reject= D= domains= exclude-domains= I= include-directories= X= exclude-directories= no-check-certificate check-certificate=? ca-certificate=:r certificate=:r private-key=:r show-progress progress= limit-rate= w= wait= random-wait waitretry= 4 6 inet4-only inet6-only b background B= base= F force-html content-disposition trust-server-names no-cache no-cookies load-cookies=:r save-cookies=:w keep-session-cookies max-redirect= secure-protocol= https-only no-proxy Q= quota= V version h help d debug report-speed= retry-connrefused no-dns-cache restrict-file-names= ignore-case compression= config=:r no-config E adjust-extension no-hsts hsts-file=:w',
  },
};
