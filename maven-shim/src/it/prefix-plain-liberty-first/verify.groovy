def log = new File(basedir, 'build.log').text
def calls = new File(basedir, 'fake-cli-calls.txt').text.split('----\n').collect { it.trim().split('\n') as List }
assert calls.size() == 1 && calls[0][0] == 'checkpoint-image'
assert log.contains("Could not find goal 'checkpoint-image' in plugin io.openliberty.tools:liberty-maven-plugin:3.12.0")
[':3.12.0:create (default-cli) @ sample ---', 'Skipping dev goal.', 'Skipping run goal.',
 ":${pluginVersion}:checkpoint-image (instanton-image) @ sample ---",
 '[WARNING] liberty-checkpoint: this POM also has liberty-maven-plugin, which shares the goal prefix liberty: declare liberty-checkpoint-maven-plugin with <extensions>true</extensions> (or list it in .mvn/extensions.xml) so that both mvn liberty:checkpoint-image and mvn liberty:dev work, whatever the plugins\' order',
 '[INFO] BUILD SUCCESS'].each { assert log.contains(it): "build.log lacks: $it" }
assert !log.contains('goal prefix liberty: liberty:')
return true
