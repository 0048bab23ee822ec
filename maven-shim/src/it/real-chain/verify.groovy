// The InstantOn image was built and restored from its checkpoint, and the restored server answered
// HTTP 200 on /sample/index.html. The image is removed whatever the outcome.
def image = 'localhost/lcp-maven-it-sample:1.0-instanton'
try {
  def log = new File(basedir, 'build.log').text
  [
      '[INFO] [1/3] containerize...',
      '[INFO] [2/3] checkpoint...',
      '[INFO] [3/3] commit done in ',
      "[INFO] Built InstantOn image ${image} (",
      "[INFO] ${image}: restored from checkpoint, ready in ",
      '/sample/index.html answered HTTP 200',
      "[INFO] Wrote the Kubernetes objects for ${image} (",
      '[INFO]   Pod Security Standards: only the "privileged" level admits the pod',
      '[INFO] BUILD SUCCESS',
  ].each { assert log.contains(it): "build.log lacks: $it" }
  // checkpoint-kube wrote the Deployment with the restore's securityContext and the seccomp profile.
  def yaml = new File(basedir, 'target/kube/lcp-maven-it-sample.yaml').text
  ['kind: Deployment', 'kind: Service', '- CHECKPOINT_RESTORE', 'path: /sample/index.html',
   'localhostProfile: liberty-checkpoint-lcp-maven-it-sample.json'].each { assert yaml.contains(it): "the YAML lacks: $it" }
  assert new File(basedir, 'target/kube/liberty-checkpoint-lcp-maven-it-sample.json').text.contains('"defaultAction": "SCMP_ACT_ERRNO"')
  def ready = (log =~ /restored from checkpoint, ready in (\S+)/)
  println "real chain: restored and answered HTTP in ${ready[0][1]}"
  return true
} finally {
  def rmi = ['podman', 'rmi', '--ignore', image].execute()
  rmi.waitForProcessOutput(System.out, System.err)
}
