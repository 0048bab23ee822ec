// A war project configured with the Kotlin DSL (Gradle 7 and 8). Gradle's Kotlin DSL cannot run on
// Debian's Gradle 4.4.1; gradle-shim's checkKotlinDsl compiles this script's body against the Gradle
// 8 API and the plugin instead.
plugins {
    war
    id("io.libertycheckpoint.checkpoint") version "0.1.0"
}

version = "1.0"

libertyCheckpoint {
    baseImage.set("localhost/open-liberty:local-checkpoint")
    image.set("localhost/kotlin-dsl:1.0-instanton")
    phase.set("afterAppStart")
    method.set("run-and-commit")
    configDirectory.set("src/main/liberty/config")
    setServerXmlFile(file("src/main/liberty/config/server.xml"))
    labels = mapOf("team" to "web")
    env.put("JAVA_TOOL_OPTIONS", "-Xshare:auto")
    bootstrapProperties = mapOf("default.http.port" to "9080")
    jvmOptions.add("-Xmx256m")
    ports.add("9080")
    readyUrl.set("/kotlin-dsl/")
    keepAppImage.set(false)
    skip.set(providers.gradleProperty("skipImage").map { it.toBoolean() }.orElse(false))
    timeout.set("10m")
}

tasks.named("checkpointRestore") {
    dependsOn("checkpointImage")
}
