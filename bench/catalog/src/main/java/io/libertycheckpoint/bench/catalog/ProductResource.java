package io.libertycheckpoint.bench.catalog;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** GET /catalog/api/products/{id} and GET /catalog/api/products?category=c7&offset=0&limit=20. */
@Path("/products")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class ProductResource {
    @Inject
    Catalog catalog;

    @GET
    @Path("/{id}")
    public Product get(@PathParam("id") long id) {
        Product p = catalog.get(id);
        if (p == null) {
            throw new NotFoundException("no product " + id);
        }
        return p;
    }

    @GET
    public List<Product> list(@QueryParam("category") @DefaultValue("c0") String category,
            @QueryParam("offset") @DefaultValue("0") int offset, @QueryParam("limit") @DefaultValue("20") int limit) {
        return catalog.page(category, offset, Math.min(limit, 100));
    }
}
