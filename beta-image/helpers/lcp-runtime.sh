# shellcheck shell=bash
# lcp-runtime.sh: the run-time set-up of Open Liberty's images, done by lcp-start.sh before it
# starts, checkpoints or restores the server. Sourced after lcp-lib.sh, never run.
#
#   SSL=true or TLS=true            turn on TLS (the transportSecurity-1.0 feature)
#   $TLS_DIR (/etc/x509/certs)      tls.key + tls.crt (+ ca.crt) mounted there become the server's
#                                   keystore (key.p12, a new password), ca.crt goes to the truststore
#   SEC_IMPORT_K8S_CERTS=true       the Kubernetes service account's CA certificates go to the truststore
#   SEC_TLS_TRUSTDEFAULTCERTS       also trust the JVM's default CA certificates
#   (always)                        a default keystore configuration with a password of its own,
#                                   ltpa_keys_password for LTPA (GENERATE_LTPA_KEYS_PASSWORD=false: not;
#                                   lcp_ltpa_password, for every start the server reads it in)
#   SERVICEABILITY_NAMESPACE        logs go to /serviceability/<namespace>/<host>/logs (a volume)

LCP_TLS_DIR=${TLS_DIR:-/etc/x509/certs}
LCP_KUBE_SA_DIR=${LCP_KUBE_SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}
LCP_SERVICEABILITY_DIR=${LCP_SERVICEABILITY_DIR:-/serviceability}
LCP_LIBERTY_LOGS=${LCP_LIBERTY_LOGS:-/liberty/logs} # a link to /logs; LOG_DIR points here
LCP_SECURITY_DIR=$LCP_OUTPUT_DIR/resources/security

# lcp_import_certificates builds the keystore and truststore from mounted certificates.
lcp_import_certificates() {
  local overrides=$LCP_CONFIG_DIR/configDropins/overrides trust=$LCP_SECURITY_DIR/trust.p12
  local key_pw="" trust_pw="" ca=() crt
  if [[ -f $LCP_TLS_DIR/tls.key && -f $LCP_TLS_DIR/tls.crt ]]; then
    lcp_say "liberty-checkpoint: making the keystore from the certificate in $LCP_TLS_DIR"
    key_pw=$(lcp_password) trust_pw=$(lcp_password)
    [[ -f $LCP_TLS_DIR/ca.crt ]] && ca=(-certfile "$LCP_TLS_DIR/ca.crt")
    if ! { mkdir -p "$LCP_SECURITY_DIR" &&
      openssl pkcs12 -export -name defaultKeyStore -inkey "$LCP_TLS_DIR/tls.key" -in "$LCP_TLS_DIR/tls.crt" \
        "${ca[@]}" -out "$LCP_SECURITY_DIR/key.p12" -password "pass:$key_pw" >/dev/null 2>&1 &&
      lcp_snippet keystore.xml "$key_pw" "$overrides/keystore.xml"; }; then
      lcp_warn "cannot make a keystore from $LCP_TLS_DIR/tls.key and tls.crt"
      return 1
    fi
    if [[ -f $LCP_TLS_DIR/ca.crt ]]; then
      keytool -importcert -noprompt -storetype pkcs12 -keystore "$trust" -storepass "$trust_pw" \
        -alias service-ca -file "$LCP_TLS_DIR/ca.crt" >/dev/null 2>&1 ||
        { lcp_warn "cannot add $LCP_TLS_DIR/ca.crt to the truststore"; return 1; }
    fi
  fi
  if [[ ${SEC_IMPORT_K8S_CERTS:-} == true && -d $LCP_KUBE_SA_DIR ]]; then
    [[ -n $trust_pw ]] || trust_pw=$(lcp_password)
    local split
    split=$(mktemp -d) || return 1
    # A bundle holds several certificates; keytool imports one per alias.
    cat "$LCP_KUBE_SA_DIR"/*.crt 2>/dev/null | csplit -s -z -f "$split/crt-" - '/-----BEGIN CERTIFICATE-----/' '{*}' 2>/dev/null
    mkdir -p "$LCP_SECURITY_DIR"
    for crt in "$split"/crt-*; do
      [[ -e $crt ]] || continue
      keytool -importcert -noprompt -storetype pkcs12 -keystore "$trust" -storepass "$trust_pw" \
        -alias "service-sa-${crt##*/}" -file "$crt" >/dev/null 2>&1 ||
        lcp_warn "cannot add ${crt##*/} of $LCP_KUBE_SA_DIR to the truststore"
    done
    rm -rf "$split"
  fi
  if [[ -n $trust_pw && -e $trust ]]; then
    lcp_snippet truststore.xml "$trust_pw" "$overrides/truststore.xml"
  elif [[ -n ${SEC_TLS_TRUSTDEFAULTCERTS:-} ]]; then
    lcp_snippet trust-default.xml "" "$overrides/trust-default.xml"
  fi
}

# lcp_serviceability_logs points /liberty/logs at a per-pod folder of the serviceability volume.
lcp_serviceability_logs() {
  [[ -n ${SERVICEABILITY_NAMESPACE:-} && -n ${HOSTNAME:-} ]] || return 0
  local dir=$LCP_SERVICEABILITY_DIR/$SERVICEABILITY_NAMESPACE/$HOSTNAME/logs
  if ! { mkdir -p "$dir" && ln -sfn "$dir" "$LCP_LIBERTY_LOGS"; }; then
    lcp_warn "cannot send the logs to $dir"
  fi
}

# lcp_ltpa_password exports a new ltpa_keys_password for the server unless one is given or
# GENERATE_LTPA_KEYS_PASSWORD=false. A JVM that criu restores keeps the environment it was
# checkpointed with, so the local flavor's restore asks for it only when it falls back to a cold
# start (it costs an openssl process, a few ms of every restore otherwise).
lcp_ltpa_password() {
  if [[ ${GENERATE_LTPA_KEYS_PASSWORD:-true} == true && -z ${ltpa_keys_password:-} ]]; then
    ltpa_keys_password=$(lcp_password) && export ltpa_keys_password
  fi
}

# lcp_runtime_setup does all of the above but the LTPA password (lcp_ltpa_password); a failure is
# reported and the server starts anyway. Without mounted certificates or settings it runs no
# process: file tests only.
lcp_runtime_setup() {
  if [[ ${SSL:-} == true || ${TLS:-} == true ]]; then
    lcp_snippet tls.xml "" "$LCP_CONFIG_DIR/configDropins/overrides/tls.xml" || lcp_warn "cannot turn on TLS"
  fi
  lcp_import_certificates || true
  lcp_default_keystore || lcp_warn "cannot write the default keystore configuration"
  lcp_serviceability_logs
}
