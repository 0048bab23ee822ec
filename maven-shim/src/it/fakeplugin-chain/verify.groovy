import groovy.json.JsonSlurper

// What the fake engine received, after the real CLI parsed the flags and the plugin validated them.
def calls = new File(basedir, 'fake-engine-calls.jsonl').readLines().collect { new JsonSlurper().parseText(it) }
assert calls*.op == ['checkpoint-image', 'restore', 'doctor', 'push']
def image = calls[0].options
def config = new File(basedir, 'src/main/liberty/config').absolutePath
assert image.AppArchive == new File(basedir, 'target/sample-1.0.war').absolutePath
assert image.ConfigDir == config
assert image.ServerXML == config + '/server.xml'
assert image.Image == 'localhost/sample:1.0-instanton'
assert image.Phase == 'beforeAppStart'
assert image.Labels == [team: 'jvm']
def restore = calls[1].options
assert restore.Image == 'localhost/sample:1.0-instanton'
assert restore.Ports == [[ContainerPort: 9080, HostPort: 0, HostIP: '127.0.0.1', Protocol: 'tcp']]

def push = calls[3].options
assert push.Image == 'registry.example.com/team/sample:1.0-instanton'
assert push.Registry.Creds == 'ci:hunter2': 'creds reach the tool (in LCP_REGISTRY_CREDS)'

def log = new File(basedir, 'build.log').text
assert !log.contains('hunter2'): 'the password is in no argument of the tool and no log line'
def digest = new File(basedir, 'target/liberty-checkpoint/image.digest')
assert digest.text ==~ /sha256:[0-9a-f]{64}\n/: 'the pushed digest, for CI to pin'
assert log.contains('Pushed registry.example.com/team/sample:1.0-instanton@sha256:')
[
    '[INFO] [1/3] containerize...',
    '[INFO]       container| [AUDIT   ] CWWKC0451I: A server checkpoint "beforeAppStart" was requested.',
    '[INFO] [3/3] commit done in ',
    '[INFO] Built InstantOn image localhost/sample:1.0-instanton (',
    ', phase beforeAppStart, checkpoint 41.0 MB',
    '[INFO] localhost/sample:1.0-instanton: restored from checkpoint, ready in ',
    '[INFO]   port 9080 -> 127.0.0.1:40000',
    '[WARNING] warn  podman.runtime           crun 1.8.1 on hybrid cgroups',
    '[INFO] doctor: 1 ok, 1 warn, 0 fail, 0 skipped',
    '[INFO] BUILD SUCCESS',
].each { assert log.contains(it): "build.log lacks: $it" }
assert !log.contains('Dumping finished successfully'): 'debug-level events show only with -X'

// Zero install: this host's binaries (linux-x86_64), resolved by Maven from the staged repository as
// io.libertycheckpoint:liberty-checkpoint-binaries:<version>:zip:linux-x86_64, checked against the
// sha256 the plugin jar pins, and extracted once into a directory named by that checksum.
def zips = new File(localRepositoryPath, 'io/libertycheckpoint/liberty-checkpoint-binaries').listFiles()
    .collectMany { it.isDirectory() ? it.listFiles().findAll { f -> f.name.endsWith('-linux-x86_64.zip') } : [] }
assert zips.size() == 1: "the staged repository holds this host's zip: $zips"
def sha = java.security.MessageDigest.getInstance('SHA-256').digest(zips[0].bytes).encodeHex().toString()
def bin = new File(itCache, "liberty-checkpoint/bin")
def dirs = bin.listFiles().findAll { !it.name.startsWith('.') }
assert dirs*.name == [sha]: "extracted into bin/<sha256 of the resolved zip>: ${dirs*.name} vs $sha"
['liberty-checkpoint', 'liberty-checkpoint-plugin'].each {
  def f = new File(dirs[0], it)
  assert f.isFile() && f.canExecute(): "$f is extracted and executable"
}
return true
