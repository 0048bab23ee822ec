// The registry the chain pushes to: lcp-shiptest registry (internal/testregistry, the Go registry
// test's own) runs Debian's docker-registry on a free loopback port with TLS from a CA made for this
// run and htpasswd. Its address, CA directory and credentials reach the build as properties
// (lcp.registry, lcp.registry.certDir, lcp.registry.creds, which the POM passes as destination,
// certDir and creds); verify.groovy stops it, and it stops by itself should this JVM go away (its
// stdin closes).
def dir = new File(basedir, 'target/registry')
dir.mkdirs()
def p = new ProcessBuilder(shiptest, 'registry', dir.path).redirectErrorStream(true).start()
def line = new BufferedReader(new InputStreamReader(p.inputStream)).readLine()
if (!line?.startsWith('ready ')) {
  p.destroy()
  throw new IllegalStateException("lcp-shiptest registry did not start: ${line}")
}
context.registry = p
def props = new Properties()
new File(dir, 'registry.properties').withInputStream { props.load(it) }
context.userProperties.put('lcp.registry', props.addr)
context.userProperties.put('lcp.registry.certDir', props.certDir)
context.userProperties.put('lcp.registry.creds', props.creds)
context.registryProps = new File(dir, 'registry.properties').path
context.registryAddr = props.addr
println "registry for the push: https://${props.addr} (TLS from a CA of this run, htpasswd)"
return true
