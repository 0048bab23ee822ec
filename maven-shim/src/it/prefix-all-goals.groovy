// The check of the prefix-* projects that run every liberty: goal (their verify.groovy evaluates it).
// Maven 3.8 heads a goal "--- liberty-maven-plugin:3.12.0:create", 3.9 "--- liberty:3.12.0:create": the
// version tells the plugins apart.
// Every liberty: goal went to the plugin that has it: create ran for real (liberty-maven-plugin
// installed the kernel and created the server), checkpoint-image called the (fake) tool once, dev and
// run were liberty-maven-plugin's (their @skipped execution skips them).
def log = new File(basedir, 'build.log').text
def calls = new File(basedir, 'fake-cli-calls.txt').text.split('----\n').collect { it.trim().split('\n') as List }
assert calls.size() == 1 && calls[0][0] == 'checkpoint-image'
assert new File(basedir, 'target/liberty/wlp/usr/servers/defaultServer/server.xml').isFile()
assert log.contains('[INFO] liberty-checkpoint: goal prefix liberty: liberty:create -> io.openliberty.tools:liberty-maven-plugin:create, liberty:checkpoint-image -> io.libertycheckpoint:liberty-checkpoint-maven-plugin:checkpoint-image, liberty:dev@skipped -> io.openliberty.tools:liberty-maven-plugin:dev@skipped, liberty:run@skipped -> io.openliberty.tools:liberty-maven-plugin:run@skipped')
[':3.12.0:create (default-cli) @ sample ---',
 ":${pluginVersion}:checkpoint-image (default-cli) @ sample ---",
 '[INFO] Built InstantOn image localhost/sample:1.0-instanton',
 ':3.12.0:dev (skipped) @ sample ---', 'Skipping dev goal.',
 ':3.12.0:run (skipped) @ sample ---', 'Skipping run goal.',
 '[INFO] BUILD SUCCESS'].each { assert log.contains(it): "build.log lacks: $it" }
assert !log.contains('shares the goal prefix liberty'): 'no advice is needed when the participant ran'
return true
