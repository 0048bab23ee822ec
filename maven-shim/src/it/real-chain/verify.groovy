// The InstantOn image of a Jakarta EE + MicroProfile Health application was built with
// liberty-maven-plugin's server configuration and restored from its checkpoint (CWWKC0452I; with
// recovery disabled a cold start would have failed the build), and MicroProfile Health said ready.
// Then the restored application itself answers: JAX-RS, CDI and JSON-B at work, and the JVM option
// from liberty-maven-plugin's jvmOptions in its JVM. The container and the image are removed
// whatever the outcome. checkpoint-push pushed it to the registry prebuild.groovy started (TLS with
// certDir, creds): image.digest is what that registry serves by digest. checkpoint-kube's YAML and
// seccomp profile decode strictly into the Kubernetes and runtime-spec types (lcp-shiptest kube).
def image = 'localhost/lcp-maven-it-inventory:1.0-instanton'
def container = 'lcp-maven-it-inventory'
def run = { List<String> cmd ->
  def p = cmd.execute()
  def out = new StringBuilder(), err = new StringBuilder()
  p.waitForProcessOutput(out, err)
  assert p.exitValue() == 0: "${cmd.join(' ')}: ${err}"
  out.toString().trim()
}
try {
  def log = new File(basedir, 'build.log').text
  [
      '[INFO] liberty-checkpoint: goal prefix liberty: liberty:checkpoint-image -> io.libertycheckpoint:liberty-checkpoint-maven-plugin:checkpoint-image',
      '[INFO] Using the Liberty server configuration of io.openliberty.tools:liberty-maven-plugin:3.12.0: serverName inventoryServer',
      '[INFO] [1/3] containerize...',
      '[INFO] [2/3] checkpoint...',
      '[INFO] [3/3] commit done in ',
      "[INFO] Built InstantOn image ${image} (",
      "[INFO] ${image}: restored from checkpoint, ready in ",
      'before its container was created', // the JVM started in the checkpoint run: no cold start does
      '/health/ready answered HTTP 200',
      "[INFO]       Pushed ${context.registryAddr}/lcp/inventory:1.0-instanton@sha256:",
      "[INFO] Wrote the Kubernetes objects for ${image} (",
      '[INFO]   Pod Security Standards: only the "privileged" level admits the pod',
      '[INFO] BUILD SUCCESS',
  ].each { assert log.contains(it): "build.log lacks: $it" }
  assert new File(basedir, 'target/liberty-checkpoint/image.id').text.startsWith('sha256:')
  def port = run(['podman', 'port', container, '9080/tcp']).readLines()[0].replaceAll(/.*:/, '')
  def health = new URL("http://127.0.0.1:${port}/health/ready").text
  assert health.contains('"status":"UP"') && health.contains('"items":1000'): health
  def items = new groovy.json.JsonSlurper().parseText(new URL("http://127.0.0.1:${port}/inventory/api/items").text)
  assert items.size == 1000 && items.first.name == 'item-0' && items.source == 'liberty-maven-plugin': items
  def logs = run(['podman', 'logs', container])
  assert logs.contains('CWWKC0452I'): 'the server resumed from the checkpoint'
  // checkpoint-kube wrote the Deployment with the restore's securityContext and the seccomp profile.
  def yaml = new File(basedir, 'target/kube/lcp-maven-it-inventory.yaml').text
  ['kind: Deployment', 'kind: Service', '- CHECKPOINT_RESTORE', 'path: /health/ready',
   'localhostProfile: liberty-checkpoint-lcp-maven-it-inventory.json'].each { assert yaml.contains(it): "the YAML lacks: $it" }
  assert new File(basedir, 'target/kube/liberty-checkpoint-lcp-maven-it-inventory.json').text.contains('"defaultAction": "SCMP_ACT_ERRNO"')
  // The pushed digest is what the registry serves: GET the manifest by that digest, hash it.
  def digest = new File(basedir, 'target/liberty-checkpoint/image.digest').text.trim()
  assert digest ==~ /sha256:[0-9a-f]{64}/: digest
  assert log.contains("@${digest} (in "): 'the build log names the digest it wrote'
  def served = run([shiptest, 'manifest', context.registryProps, "${context.registryAddr}/lcp/inventory:1.0-instanton", digest])
  assert !log.contains(context.userProperties['lcp.registry.creds'].split(':', 2)[1]): 'the password never reaches the build log'
  def strict = run([shiptest, 'kube', new File(basedir, 'target/kube/lcp-maven-it-inventory.yaml').path])
  println "real chain: ${served}; ${strict}"
  def ready = (log =~ /restored from checkpoint, ready in (\S+)/)
  println "real chain: inventory restored and ready (MicroProfile Health) in ${ready[0][1]}; /inventory/api/items: ${items}"
  return true
} finally {
  context.registry?.with { it.destroy(); it.waitFor() }
  ['podman', 'rm', '-f', '--ignore', container].execute().waitForProcessOutput(System.out, System.err)
  ['podman', 'rmi', '--ignore', image].execute().waitForProcessOutput(System.out, System.err)
}
