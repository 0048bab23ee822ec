package io.libertycheckpoint.it.inventory;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** JAX-RS: the resources under /inventory/api. */
@ApplicationPath("/api")
public class InventoryApplication extends Application {}
