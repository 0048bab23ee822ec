def log = new File(basedir, 'build.log').text
assert log.contains(':checkpoint-doctor (default-cli) @ sample')
assert log.contains('--- liberty-checkpoint-maven-plugin:')
assert log.contains('[INFO] doctor: 1 ok, 0 warn, 0 fail, 0 skipped')
def calls = new File(basedir, 'fake-cli-calls.txt').text.split('----\n').collect { it.trim().split('\n') as List }
assert calls == [['doctor', '--output', 'json']]: 'the second invocation runs nothing'
[
    "<executable> or -Dliberty.checkpoint.executable: ${new File(basedir, 'no/such/liberty-checkpoint').absolutePath} does not exist",
    'fix: point it at a liberty-checkpoint binary',
].each { assert log.contains(it): "build.log lacks: $it" }
return true
