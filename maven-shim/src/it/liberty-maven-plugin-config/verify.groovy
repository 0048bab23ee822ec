// One tool call, with liberty-maven-plugin's server: its name, and its configuration directory laid
// out with what its other settings and properties make (bootstrap.properties, jvm.options,
// server.env, the variables, the dependencies it copies), as liberty:create would lay out the server.
def path = { String rel -> new File(basedir, rel).absolutePath }
def calls = new File(basedir, 'fake-cli-calls.txt').text.split('----\n').collect { it.trim().split('\n') as List }
assert calls.size() == 1: "the second build skips: $calls"
assert calls[0] == ['checkpoint-image', '--output', 'json',
    '--app-archive=' + path('target/inventory-1.0.war'),
    '--server-xml-file=' + path('src/main/liberty/inventory-server.xml'),
    '--config-directory=' + path('target/liberty-checkpoint/config'),
    '--server-name=inventory',
    '--image=localhost/inventory:alias',
    '--output-dir=' + path('target/liberty-checkpoint')]
def config = new File(basedir, 'target/liberty-checkpoint/config')
assert new File(config, 'server.xml').text == new File(basedir, 'src/main/liberty/server/server.xml').text
assert new File(config, 'bootstrap.properties').text.endsWith('\napp.mode=instanton\ndefault.http.port=9081\n')
assert new File(config, 'jvm.options').text.endsWith('\n-Xmx256m\n-Dinventory.cache=warm\n')
assert new File(config, 'server.env').text.endsWith('\nDB_HOST=db\n')
def vars = new File(config, 'configDropins/overrides/liberty-plugin-variable-config.xml').text
assert vars.contains('<variable name="greeting" value="hello"/>') && vars.contains('<variable name="db.port" defaultValue="1527"/>')
assert new File(config, 'lib/global/junit/junit.jar').isFile()
assert new File(config, 'lib/global/junit/hamcrest-core.jar').isFile()


def log = new File(basedir, 'build.log').text
assert log.contains('[INFO] Using the Liberty server configuration of io.openliberty.tools:liberty-maven-plugin:3.12.0: serverName inventory, configDirectory ' + path('src/main/liberty/server')
    + ', serverXmlFile ' + path('src/main/liberty/inventory-server.xml'))
assert log.contains('[INFO] Skipping liberty:checkpoint-image (<skip> or -Dliberty.checkpoint.skip is true)')
return true
