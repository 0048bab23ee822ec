def log = new File(basedir, 'build.log').text
[
    'liberty:checkpoint-image failed: /src/target/sample.war does not exist (NotFound)',
    '  setting: <appArchive> or -Dliberty.checkpoint.appArchive',
    '  fix: build the application first (mvn package / gradle war) or correct the path',
    // a MojoFailureException: the tool understood and explained the problem
    'http://cwiki.apache.org/confluence/display/MAVEN/MojoFailureException',
    '[INFO] BUILD FAILURE',
].each { assert log.contains(it): "build.log lacks: $it" }
def calls = new File(basedir, 'fake-cli-calls.txt').text.split('----\n').collect { it.trim().split('\n') as List }
assert calls == [['checkpoint-image', '--output', 'json', '--image=localhost/sample:1.0-instanton',
    '--output-dir=' + new File(basedir, 'target/liberty-checkpoint').absolutePath]]: 'pom packaging: no default archive, no config directory'
return true
