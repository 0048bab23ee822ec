def log = new File(basedir, 'build.log').text
def calls = new File(basedir, 'fake-cli-calls.txt').text.split('----\n').collect { it.trim().split('\n') as List }
assert calls.size() == 1 && calls[0][0] == 'checkpoint-image'
assert log.contains('[INFO] Built InstantOn image localhost/sample:1.0-instanton')
assert log.contains('--- liberty-maven-plugin:3.12.0:help (default-cli) @ sample ---')
assert log.count('[INFO] BUILD SUCCESS') == 2
return true
