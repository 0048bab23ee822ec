package io.libertycheckpoint.it.inventory;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** CDI: an application-scoped bean filled when the application starts (before the checkpoint). */
@ApplicationScoped
public class Inventory {
  private final List<Item> items = new ArrayList<>();

  @PostConstruct
  void fill() {
    for (int i = 0; i < 1000; i++) {
      items.add(new Item("item-" + i, i % 17));
    }
  }

  public List<Item> items() {
    return Collections.unmodifiableList(items);
  }
}
