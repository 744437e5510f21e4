using flowbench.erp as erp from '../db/schema';

/** The service Flowbench's interoperability tests talk to, with a small page size. */
@path: '/odata/v4/erp'
@cds.query.limit: { default: 4, max: 4 }
service ErpService {
  entity Customers       as projection on erp.Customers;

  entity SalesOrders     as projection on erp.SalesOrders
    actions {
      /** Confirms an open order; fails for an order that is not open. */
      action confirm(note : String(200)) returns SalesOrders;
    };

  entity SalesOrderLines as projection on erp.SalesOrderLines;

  /** Sum of the total amounts of a customer's orders. */
  function customerBalance(company : String(4), customer : String(10)) returns Decimal(15, 2);
}
