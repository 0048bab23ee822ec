def log = new File(basedir, 'build.log').text
def calls = new File(basedir, 'fake-cli-calls.txt').text.split('----\n').collect { it.trim().split('\n') as List }
assert calls.size() == 2 && calls.every { it[0] == 'checkpoint-image' }
assert log.contains("Could not find goal 'checkpoint-image' in plugin io.openliberty.tools:liberty-maven-plugin:3.12.0")
assert log.contains('checkpoint-image (default-cli) @ sample')
assert log.contains('checkpoint-image (instanton-image) @ sample')
assert log.count('[INFO] Built InstantOn image localhost/sample:1.0-instanton') == 2
return true
