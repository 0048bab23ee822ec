package io.libertycheckpoint.bench.catalog;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The REST application: everything under /catalog/api. */
@ApplicationPath("/api")
public class CatalogApplication extends Application {
}
