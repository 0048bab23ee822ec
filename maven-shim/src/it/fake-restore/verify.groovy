def calls = new File(basedir, 'fake-cli-calls.txt').text.split('----\n').collect { it.trim().split('\n') as List }
assert calls.size() == 1: 'the skipped invocation runs nothing'
assert calls[0] == ['restore', '--output', 'json', '--image=localhost/sample:1.0-instanton',
    '--env=WLP_LOGGING_CONSOLE_FORMAT=SIMPLE',
    '--publish=9080', '--publish=127.0.0.1:9443:9443',
    '--ready-url=/sample/hello']
def log = new File(basedir, 'build.log').text
[
    '[INFO] localhost/sample:1.0-instanton: restored from checkpoint, ready in 612ms',
    '[INFO]   http://127.0.0.1:40123/sample/hello answered HTTP 200',
    '[INFO]   port 9080 -> 127.0.0.1:40123',
    '[INFO] Skipping liberty:checkpoint-restore (<skip> or -Dliberty.checkpoint.skip is true)',
].each { assert log.contains(it): "build.log lacks: $it" }
return true
