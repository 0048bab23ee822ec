package engine

// instantOnFeatures are the features Open Liberty InstantOn supports ("Open Liberty InstantOn
// supported features", openliberty.io/docs/latest/instanton.html#supported-features): every
// public feature that the Jakarta EE Web Profile 8.0 and later and MicroProfile 4.1 and later
// convenience features enable, those convenience features, and the extra features the page
// lists. The first group was read from the feature manifests of Open Liberty 26.0.0.3
// (webProfile-8.0, 9.1, 10.0 and microProfile-4.1 to 7.1, their Subsystem-Content with the
// tolerated versions); lower case.
var instantOnFeatures = setOf(
	// Web Profile and MicroProfile, and what they enable.
	"appauthentication-2.0", "appauthentication-3.0", "appsecurity-3.0", "appsecurity-4.0", "appsecurity-5.0", "beanvalidation-2.0",
	"beanvalidation-3.0", "cdi-2.0", "cdi-3.0", "cdi-4.0", "concurrent-3.0", "ejblite-3.2",
	"el-3.0", "enterprisebeanslite-4.0", "expressionlanguage-4.0", "expressionlanguage-5.0", "faces-3.0", "faces-4.0",
	"jaspic-1.1", "jaxrs-2.1", "jaxrsclient-2.1", "jdbc-4.2", "jdbc-4.3", "jndi-1.0",
	"jpa-2.2", "jsf-2.3", "jsonb-1.0", "jsonb-2.0", "jsonb-3.0", "jsonp-1.1",
	"jsonp-2.0", "jsonp-2.1", "jsp-2.3", "managedbeans-1.0", "managedbeans-2.0", "microprofile-4.1",
	"microprofile-5.0", "microprofile-6.0", "microprofile-6.1", "microprofile-7.0", "microprofile-7.1", "mpconfig-2.0",
	"mpconfig-3.0", "mpconfig-3.1", "mpfaulttolerance-3.0", "mpfaulttolerance-4.0", "mpfaulttolerance-4.1", "mphealth-3.1",
	"mphealth-4.0", "mpjwt-1.2", "mpjwt-2.0", "mpjwt-2.1", "mpmetrics-3.0", "mpmetrics-4.0",
	"mpmetrics-5.0", "mpmetrics-5.1", "mpopenapi-2.0", "mpopenapi-3.0", "mpopenapi-3.1", "mpopenapi-4.0",
	"mpopenapi-4.1", "mpopentracing-2.0", "mpopentracing-3.0", "mprestclient-2.0", "mprestclient-3.0", "mprestclient-4.0",
	"mptelemetry-1.0", "mptelemetry-1.1", "mptelemetry-2.0", "mptelemetry-2.1", "pages-3.0", "pages-3.1",
	"persistence-3.0", "persistence-3.1", "restfulws-3.0", "restfulws-3.1", "restfulwsclient-3.0", "restfulwsclient-3.1",
	"servlet-4.0", "servlet-5.0", "servlet-6.0", "webprofile-10.0", "webprofile-8.0", "webprofile-9.1",
	"websocket-1.1", "websocket-2.0", "websocket-2.1",
	// The extra features the page lists.
	"audit-1.0", "bells-1.0", "distributedmap-1.0", "federatedregistry-1.0", "ldapregistry-3.0", "monitor-1.0",
	"openidconnectclient-1.0", "passwordutilities-1.0", "passwordutilities-1.1", "restconnector-2.0", "sessiondatabase-1.0",
	"sociallogin-1.0", "webcache-1.0", "jaxws-2.2", "xmlws-3.0", "xmlws-4.0", "appsecurity-1.0", "javamail-1.6",
	"mail-2.0", "mail-2.1", "jdbc-4.1", "localconnector-1.0",
	// The feature that does the checkpoint itself.
	"checkpoint-1.0",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
