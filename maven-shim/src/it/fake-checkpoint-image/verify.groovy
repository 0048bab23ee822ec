// The one CLI call: defaults from the project model, POM settings, -D map settings.
def calls = new File(basedir, 'fake-cli-calls.txt').text.split('----\n').collect { it.trim().split('\n') as List }
assert calls.size() == 1
assert calls[0] == ['checkpoint-image', '--output', 'json',
    '--app-archive=' + new File(basedir, 'target/sample-1.0.war').absolutePath,
    '--config-directory=' + new File(basedir, 'src/main/liberty/config').absolutePath,
    '--image=localhost/sample:1.0-instanton',
    '--phase=beforeAppStart',
    '--label=team=jvm',
    '--env=A=1', '--env=B=2',
    '--output-dir=' + new File(basedir, 'target/liberty-checkpoint').absolutePath]
assert new File(basedir, 'target/sample-1.0.war').isFile()

// The golden events as Maven log lines: progress and output at info, detail hidden, a summary.
def log = new File(basedir, 'build.log').text
[
    '[INFO] [1/3] containerize...',
    '[INFO]       build    | STEP 1/4: FROM localhost/open-liberty:local-checkpoint',
    '[INFO] [1/3] containerize done in 2.3s (sha256:3f2a1b)',
    '[INFO]       container| [AUDIT   ] CWWKC0451I: A server checkpoint "afterAppStart" was requested.',
    '[WARNING]       warning: phase "applications" is the old name of afterAppStart; using afterAppStart',
    '[INFO] [3/3] commit done in 799ms',
    '[INFO] Built InstantOn image localhost/sample:1.0-instanton (9c8b7a6d5e4f, 412.3 MB), phase afterAppStart, checkpoint 58.0 MB',
    '[INFO]   containerize 2.3s, checkpoint 6.7s, commit 799ms; done in 9.8s',
    '[INFO] BUILD SUCCESS',
].each { assert log.contains(it): "build.log lacks: $it" }
assert !log.contains('--> 3f2a1b'): 'debug-level log events show only with -X'
assert log.contains('[WARNING] fake liberty-checkpoint: played checkpoint-image'): "the tool's stderr is shown"
return true
