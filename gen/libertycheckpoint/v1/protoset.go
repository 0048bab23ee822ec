package libertycheckpointv1

import _ "embed"

// Protoset is the FileDescriptorSet of libertycheckpoint.proto with its comments (protoc
// --include_source_info), which `make gen` writes next to the generated code. The generated
// code's own descriptor drops the comments; server reflection serves this one instead, so that
// `grpcurl describe` shows the API's documentation. (This file is kept by hand; make gen keeps
// the .protoset current and make check-gen guards it.)
//
//go:embed libertycheckpoint.protoset
var Protoset []byte
