'use strict';

/** A shopping cart: line items with a price in cents and a quantity. */
class Cart {
  constructor() {
    this.items = new Map();
  }

  add(sku, priceCents, quantity = 1) {
    const line = this.items.get(sku) ?? { priceCents, quantity: 0 };
    line.quantity += quantity;
    this.items.set(sku, line);
  }

  remove(sku) {
    this.items.delete(sku);
  }

  totalCents() {
    let total = 0;
    for (const { priceCents, quantity } of this.items.values()) {
      total += priceCents * quantity;
    }
    return total;
  }
}

module.exports = { Cart };
