'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { Cart } = require('./cart');

test('totals the cart', () => {
  const cart = new Cart();
  cart.add('apple', 50, 3);
  cart.add('pear', 75);
  assert.strictEqual(cart.totalCents(), 225);
});
