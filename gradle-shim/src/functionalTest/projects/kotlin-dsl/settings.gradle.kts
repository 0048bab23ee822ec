pluginManagement {
    repositories {
        mavenLocal()
        mavenCentral()
    }
}
rootProject.name = "kotlin-dsl"
