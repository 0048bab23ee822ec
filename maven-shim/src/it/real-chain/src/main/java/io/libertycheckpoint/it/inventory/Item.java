package io.libertycheckpoint.it.inventory;

/** One item of the inventory, as JSON-B writes it. */
public class Item {
  public String name;
  public int count;

  public Item() {}

  Item(String name, int count) {
    this.name = name;
    this.count = count;
  }
}
