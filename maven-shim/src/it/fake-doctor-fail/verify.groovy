def log = new File(basedir, 'build.log').text
[
    '[INFO] ok    kernel.version           Linux 6.18.44',
    '[ERROR] fail  podman.runtime           crun 1.8.1 on hybrid cgroups',
    '[ERROR]                                fix: set runtime = "runc" in /etc/containers/containers.conf',
    '[INFO] doctor: 1 ok, 0 warn, 1 fail, 0 skipped',
    'liberty:checkpoint-doctor: 1 doctor check(s) failed',
    '  podman.runtime: crun 1.8.1 on hybrid cgroups',
    '    fix: set runtime = "runc" in /etc/containers/containers.conf',
    'http://cwiki.apache.org/confluence/display/MAVEN/MojoFailureException',
].each { assert log.contains(it): "build.log lacks: $it" }
def calls = new File(basedir, 'fake-cli-calls.txt').text.split('----\n').collect { it.trim().split('\n') as List }
assert calls == [['doctor', '--output', 'json', '--image=localhost/sample:1.0-instanton']]
return true
