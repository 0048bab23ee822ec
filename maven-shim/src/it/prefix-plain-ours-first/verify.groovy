def log = new File(basedir, 'build.log').text
def calls = new File(basedir, 'fake-cli-calls.txt').text.split('----\n').collect { it.trim().split('\n') as List }
assert calls.size() == 1 && calls[0][0] == 'checkpoint-image'
assert log.contains("Could not find goal 'dev' in plugin io.libertycheckpoint:liberty-checkpoint-maven-plugin:${pluginVersion}")
assert log.contains('[INFO] Built InstantOn image localhost/sample:1.0-instanton')
return true
