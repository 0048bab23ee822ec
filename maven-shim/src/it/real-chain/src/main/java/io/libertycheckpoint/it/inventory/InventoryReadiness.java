package io.libertycheckpoint.it.inventory;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** MicroProfile Health: ready once the inventory is filled (/health/ready). */
@Readiness
@ApplicationScoped
public class InventoryReadiness implements HealthCheck {
  @Inject
  Inventory inventory;

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("inventory").status(!inventory.items().isEmpty()).withData("items", inventory.items().size()).build();
  }
}
