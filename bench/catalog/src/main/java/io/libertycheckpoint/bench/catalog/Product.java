package io.libertycheckpoint.bench.catalog;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;

/** One product of the catalogue, as JSON-B writes it (id first, so the bench can recognise it). */
@JsonbPropertyOrder({"id", "name", "category", "price", "stock", "tags", "description"})
public record Product(long id, String name, String category, double price, int stock, List<String> tags, String description) {
}
