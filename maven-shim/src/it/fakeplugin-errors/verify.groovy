def log = new File(basedir, 'build.log').text
def missing = new File(basedir, 'target/missing.war').absolutePath
[
    "liberty:checkpoint-image failed: ${missing} does not exist (NotFound)",
    '  setting: <appArchive> or -Dliberty.checkpoint.appArchive',
    '  fix: build the application first (mvn package / gradle war) or correct the path',
    'liberty:checkpoint-restore failed: criu too old for this kernel (FailedPrecondition)',
    "  fix: this is the fake engine's scripted failure",
    '  last log lines:',
    '    fake log line 2',
    'for "-p, <ports>" flag',
    '  setting: <ports> or -Dliberty.checkpoint.ports',
].each { assert log.contains(it): "build.log lacks: $it" }
assert log.count('[INFO] BUILD FAILURE') == 3
return true
