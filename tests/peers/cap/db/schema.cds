// ERP-like model for Flowbench's interoperability tests: composite keys, navigation,
// an association, an ETag field, enum-like fields.
namespace flowbench.erp;

/** Lifecycle of a sales order (enum-like: stored as a string). */
type OrderStatus : String(10) enum {
  Open;
  Confirmed;
  Shipped;
}

/** Credit rating of a customer (enum-like: stored as an integer). */
type CreditRating : Integer enum {
  Good    = 1;
  Watch   = 2;
  Blocked = 3;
}

@title: 'Customers'
entity Customers {
  key company     : String(4);
  key ID          : String(10);
      @title: 'Customer name'
      @mandatory
      name        : String(100);
      @assert.range
      rating      : CreditRating default 1;
      creditLimit : Decimal(15, 2);
      orders      : Association to many SalesOrders
                      on  orders.company    = company
                      and orders.customerID = ID;
}

@title: 'Sales orders'
entity SalesOrders {
  key company     : String(4);
  key orderNumber : String(20);
      customerID  : String(10);
      customer    : Association to one Customers
                      on  customer.company = company
                      and customer.ID      = customerID;
      status      : OrderStatus default 'Open';
      orderDate   : Date;
      totalAmount : Decimal(15, 2);
      note        : String(200);
      @odata.etag
      @cds.on.insert: $now
      @cds.on.update: $now
      modifiedAt  : Timestamp;
      lines       : Composition of many SalesOrderLines
                      on  lines.company     = company
                      and lines.orderNumber = orderNumber;
}

@title: 'Sales order lines'
entity SalesOrderLines {
  key company     : String(4);
  key orderNumber : String(20);
  key lineNumber  : Integer;
      itemNumber  : String(20);
      quantity    : Decimal(10, 2);
      unitPrice   : Decimal(15, 2);
      order       : Association to one SalesOrders
                      on  order.company     = company
                      and order.orderNumber = orderNumber;
}
