package io.libertycheckpoint.it.inventory;

import jakarta.inject.Inject;
import jakarta.json.bind.JsonbBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;

/** GET /inventory/api/items: the inventory's size, its first item and where its JVM option came from, as JSON. */
@Path("/items")
public class InventoryResource {
  @Inject
  Inventory inventory;

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public String items() throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("size", inventory.items().size());
    out.put("first", inventory.items().get(0));
    out.put("source", System.getProperty("inventory.source", "none"));
    try (var jsonb = JsonbBuilder.create()) {
      return jsonb.toJson(out);
    }
  }
}
