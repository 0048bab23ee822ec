package engine

// Labels the engine sets on the images it commits. The OCI ones are standard; the others record
// what a later restore depends on, so doctor can compare them with the restoring host.
const (
	LabelCreated  = "org.opencontainers.image.created"   // RFC 3339 time of the commit
	LabelBaseName = "org.opencontainers.image.base.name" // the base image the app image was built on

	labelPrefix      = "io.liberty-checkpoint."
	LabelPhase       = labelPrefix + "phase"        // beforeAppStart or afterAppStart
	LabelKernel      = labelPrefix + "kernel"       // uname -r of the host that checkpointed
	LabelCPUFlags    = labelPrefix + "cpu-flags"    // CPU flags (from /proc/cpuinfo) of that host, space-separated
	LabelArch        = labelPrefix + "arch"         // uname -m of that host
	LabelCRIUVersion = labelPrefix + "criu-version" // criu --version inside the image
	LabelToolVersion = labelPrefix + "version"      // liberty-checkpoint version that made the image
)

// Paths inside images that follow the InstantOn protocol (Open Liberty's images and this
// project's beta-image and test images).
const (
	// CheckpointDir holds the CRIU image files after a successful checkpoint.
	CheckpointDir = "/output/workarea/checkpoint/image"
	// CheckpointLog and RestoreLog are CRIU's logs.
	CheckpointLog = "/logs/checkpoint/checkpoint.log"
	RestoreLog    = "/logs/checkpoint/restore.log"
)

// Liberty message ids the engine recognises in container output.
const (
	MsgServerReady      = "CWWKF0011I" // the server is ready to run a smarter planet
	MsgRestored         = "CWWKC0452I" // resumed operation from a checkpoint
	MsgRestoreFailed    = "CWWKE0961I" // restore failed, falling back to a normal start
	MsgRestoreFailedOld = "CWWKE0957I" // the same, in older releases
	MsgRecoveryDisabled = "CWWKE0964E" // restore failed and CRIU_RESTORE_DISABLE_RECOVERY is set
	MsgCheckpointDone   = "CWWKC0451I" // a server checkpoint was requested
	MsgAppStarted       = "CWWKZ0001I" // Application <name> started
)

// Memory the checkpointed server held, in bytes, recorded at commit; kube sizes the pod's memory
// from them and doctor warns about a restore limit below them.
const (
	LabelMemoryRSS     = labelPrefix + "memory.rss"            // resident set of the server at the dump
	LabelHeapCommitted = labelPrefix + "memory.heap-committed" // heap committed at the dump
	LabelHeapMax       = labelPrefix + "memory.heap-max"       // maximum heap (fixed when the JVM started)
)

// AppFailureMessages are Liberty's messages that say an application did not start (or will not):
// a checkpoint taken after any of them holds a server without its application.
var AppFailureMessages = map[string]string{
	"CWWKZ0002E": "an exception occurred while starting the application",
	"CWWKZ0004E": "an exception occurred while starting the application",
	"CWWKZ0012I": "the application was not started",
	"CWWKZ0013E": "two applications have the same name",
	"CWWKZ0014W": "the application could not be found at its location",
	"CWWKZ0021E": "the server cannot handle the application's archive",
	"SRVE0283E":  "the application threw while its context was initialised",
	"CWWKM0101E": "the application's archive could not be read",
}
