//! The demo data entities: F&O names, keys, labels and typical field types.

use super::{EntityDef, FieldDef, FieldType, NavDef};

use FieldType::{Date, DateTimeOffset, Decimal, Enum, Guid, Int32, Int64};

const fn s(name: &'static str, max: u32, label: &'static str) -> FieldDef {
    FieldDef::new(name, FieldType::String(max), label)
}

const fn f(name: &'static str, ty: FieldType, label: &'static str) -> FieldDef {
    FieldDef::new(name, ty, label)
}

const COMPANY: FieldDef = s("dataAreaId", 4, "Company").label_id("@SYS13342").key();

/// Every entity of the demo service, in `$metadata` order.
pub static ENTITIES: &[EntityDef] = &[
    EntityDef {
        name: "LegalEntity",
        set: "LegalEntities",
        aot_name: "OMLegalEntity",
        label_id: "@SYS303478",
        table_label: "Legal entities (CompanyInfo)",
        category: "Reference",
        read_only: true,
        company_scoped: false,
        fields: &[
            s("LegalEntityId", 4, "Company").label_id("@SYS13342").key(),
            s("Name", 100, "Name").label_id("@SYS7399").required(),
            s("AddressCountryRegionId", 10, "Country/region").label_id("@SYS7437"),
            s("AddressCity", 60, "City").label_id("@SYS22249"),
            s("CurrencyCode", 3, "Currency").label_id("@SYS7572"),
            f("PartyRecId", Int64, "Party")
                .label_id("@SYS330052")
                .read_only(),
        ],
        navs: &[],
    },
    EntityDef {
        name: "CustomerGroup",
        set: "CustomerGroups",
        aot_name: "CustCustomerGroupEntity",
        label_id: "@SYS11904",
        table_label: "Customer groups (CustGroup)",
        category: "Reference",
        read_only: false,
        company_scoped: true,
        fields: &[
            COMPANY,
            s("CustomerGroupId", 10, "Customer group")
                .label_id("@SYS11904")
                .key(),
            s("Description", 60, "Description").label_id("@SYS6303"),
            s("PaymentTermId", 10, "Terms of payment").label_id("@SYS23371"),
            f(
                "IsSalesTaxIncludedInPrice",
                Enum("NoYes"),
                "Prices include sales tax",
            )
            .label_id("@SYS9716"),
        ],
        navs: &[],
    },
    EntityDef {
        name: "CustomerV3",
        set: "CustomersV3",
        aot_name: "CustCustomerV3Entity",
        label_id: "@AccountsReceivable:CustCustomerV3EntityLabel",
        table_label: "Customers (CustTable)",
        category: "Master",
        read_only: false,
        company_scoped: true,
        fields: &[
            COMPANY,
            s("CustomerAccount", 20, "Customer account")
                .label_id("@SYS7149")
                .key(),
            s("OrganizationName", 100, "Name")
                .label_id("@SYS7399")
                .required(),
            s("CustomerGroupId", 10, "Customer group")
                .label_id("@SYS11904")
                .required(),
            s("SalesCurrencyCode", 3, "Currency")
                .label_id("@SYS7572")
                .required(),
            f("CreditLimit", Decimal, "Credit limit").label_id("@SYS4053"),
            f(
                "CreditLimitIsMandatory",
                Enum("NoYes"),
                "Mandatory credit limit",
            )
            .label_id("@SYS62627"),
            f(
                "OnHoldStatus",
                Enum("CustVendorBlocked"),
                "Invoice and delivery on hold",
            )
            .label_id("@SYS11997"),
            s("AddressCity", 60, "City").label_id("@SYS22249"),
            s("AddressCountryRegionId", 10, "Country/region").label_id("@SYS7437"),
            s("PrimaryContactEmail", 255, "Email").label_id("@SYS5845"),
            s("PaymentTerms", 10, "Terms of payment").label_id("@SYS23371"),
            f("CustomerIntegrationId", Guid, "Integration id")
                .help("Identifier of the record in an external system (demo field)."),
            f("CreatedDateTime", DateTimeOffset, "Created date and time")
                .label_id("@SYS314802")
                .read_only(),
            f("ModifiedDateTime", DateTimeOffset, "Modified date and time")
                .label_id("@SYS314803")
                .read_only(),
        ],
        navs: &[
            NavDef {
                name: "CustomerGroup",
                target: "CustomerGroup",
                collection: false,
                constraints: &[
                    ("dataAreaId", "dataAreaId"),
                    ("CustomerGroupId", "CustomerGroupId"),
                ],
                partner: None,
                cascade_delete: false,
            },
            NavDef {
                name: "SalesOrderHeaders",
                target: "SalesOrderHeaderV2",
                collection: true,
                constraints: &[
                    ("dataAreaId", "dataAreaId"),
                    ("CustomerAccount", "OrderingCustomerAccountNumber"),
                ],
                partner: Some("OrderingCustomer"),
                cascade_delete: false,
            },
        ],
    },
    EntityDef {
        name: "VendorV2",
        set: "VendorsV2",
        aot_name: "VendVendorV2Entity",
        label_id: "@AccountsPayable:VendVendorV2EntityLabel",
        table_label: "Vendors (VendTable)",
        category: "Master",
        read_only: false,
        company_scoped: true,
        fields: &[
            COMPANY,
            s("VendorAccountNumber", 20, "Vendor account")
                .label_id("@SYS14048")
                .key(),
            s("VendorOrganizationName", 100, "Name")
                .label_id("@SYS7399")
                .required(),
            s("VendorGroupId", 10, "Group")
                .label_id("@SYS11906")
                .required(),
            s("CurrencyCode", 3, "Currency")
                .label_id("@SYS7572")
                .required(),
            f("OnHoldStatus", Enum("CustVendorBlocked"), "Hold").label_id("@SYS11997"),
            s("AddressCity", 60, "City").label_id("@SYS22249"),
            s("AddressCountryRegionId", 10, "Country/region").label_id("@SYS7437"),
        ],
        navs: &[],
    },
    EntityDef {
        name: "ReleasedProductV2",
        set: "ReleasedProductsV2",
        aot_name: "EcoResReleasedProductV2Entity",
        label_id: "@SCM:ReleasedProductsV2EntityLabel",
        table_label: "Items (InventTable)",
        category: "Master",
        read_only: false,
        company_scoped: true,
        fields: &[
            COMPANY,
            s("ItemNumber", 20, "Item number")
                .label_id("@SYS12836")
                .key(),
            s("ProductName", 60, "Product name")
                .label_id("@SYS319718")
                .required(),
            s("SearchName", 20, "Search name").label_id("@SYS6016"),
            f("ProductType", Enum("EcoResProductType"), "Product type")
                .label_id("@SYS132741")
                .required(),
            s("ItemModelGroupId", 10, "Item model group").label_id("@SYS53882"),
            s("SalesUnitSymbol", 10, "Sales unit").label_id("@SYS11865"),
            f("SalesPrice", Decimal, "Sales price").label_id("@SYS11778"),
            f("PurchasePrice", Decimal, "Purchase price").label_id("@SYS11780"),
            f("NetProductWeight", Decimal, "Net weight").label_id("@SYS10396"),
            f("IsPhantom", Enum("NoYes"), "Phantom").label_id("@SYS22467"),
        ],
        navs: &[],
    },
    EntityDef {
        name: "SalesOrderHeaderV2",
        set: "SalesOrderHeadersV2",
        aot_name: "SalesOrderHeaderV2Entity",
        label_id: "@SYS323580",
        table_label: "Sales orders (SalesTable)",
        category: "Document",
        read_only: false,
        company_scoped: true,
        fields: &[
            COMPANY,
            s("SalesOrderNumber", 20, "Sales order")
                .label_id("@SYS9694")
                .key()
                .auto_number(),
            s("OrderingCustomerAccountNumber", 20, "Customer account")
                .label_id("@SYS7149")
                .required(),
            s("InvoiceCustomerAccountNumber", 20, "Invoice account").label_id("@SYS7118"),
            s("SalesOrderName", 100, "Name").label_id("@SYS7399"),
            s("CurrencyCode", 3, "Currency")
                .label_id("@SYS7572")
                .required(),
            f("SalesOrderStatus", Enum("SalesStatus"), "Order status")
                .label_id("@SYS25587")
                .read_only(),
            s("CustomerRequisitionNumber", 20, "Customer requisition").label_id("@SYS18298"),
            f("RequestedShippingDate", Date, "Requested ship date").label_id("@SYS54180"),
            f("ConfirmedShippingDate", Date, "Confirmed ship date").label_id("@SYS54182"),
            f("CreatedDateTime", DateTimeOffset, "Created date and time")
                .label_id("@SYS314802")
                .read_only(),
            f("ModifiedDateTime", DateTimeOffset, "Modified date and time")
                .label_id("@SYS314803")
                .read_only(),
        ],
        navs: &[
            NavDef {
                name: "SalesOrderLines",
                target: "SalesOrderLine",
                collection: true,
                constraints: &[
                    ("dataAreaId", "dataAreaId"),
                    ("SalesOrderNumber", "SalesOrderNumber"),
                ],
                partner: Some("SalesOrderHeader"),
                cascade_delete: true,
            },
            NavDef {
                name: "OrderingCustomer",
                target: "CustomerV3",
                collection: false,
                constraints: &[
                    ("dataAreaId", "dataAreaId"),
                    ("OrderingCustomerAccountNumber", "CustomerAccount"),
                ],
                partner: Some("SalesOrderHeaders"),
                cascade_delete: false,
            },
        ],
    },
    EntityDef {
        name: "SalesOrderLine",
        set: "SalesOrderLines",
        aot_name: "SalesOrderLineV2Entity",
        label_id: "@SYS323581",
        table_label: "Order lines (SalesLine)",
        category: "Document",
        read_only: false,
        company_scoped: true,
        fields: &[
            COMPANY,
            s("SalesOrderNumber", 20, "Sales order")
                .label_id("@SYS9694")
                .key(),
            f(
                "LineCreationSequenceNumber",
                Int32,
                "Line creation sequence number",
            )
            .label_id("@SCM:LineCreationSequenceNumber")
            .key()
            .auto_number(),
            s("ItemNumber", 20, "Item number")
                .label_id("@SYS12836")
                .required(),
            s("LineDescription", 1000, "Text").label_id("@SYS2595"),
            f("OrderedSalesQuantity", Decimal, "Quantity").label_id("@SYS14578"),
            s("SalesUnitSymbol", 10, "Unit").label_id("@SYS190813"),
            f("SalesPrice", Decimal, "Unit price").label_id("@SYS11778"),
            f("LineAmount", Decimal, "Net amount").label_id("@SYS3966"),
            f("SalesOrderLineStatus", Enum("SalesStatus"), "Status")
                .label_id("@SYS25587")
                .read_only(),
            f("RequestedShippingDate", Date, "Requested ship date").label_id("@SYS54180"),
        ],
        navs: &[NavDef {
            name: "SalesOrderHeader",
            target: "SalesOrderHeaderV2",
            collection: false,
            constraints: &[
                ("dataAreaId", "dataAreaId"),
                ("SalesOrderNumber", "SalesOrderNumber"),
            ],
            partner: Some("SalesOrderLines"),
            cascade_delete: false,
        }],
    },
    EntityDef {
        name: "Warehouse",
        set: "Warehouses",
        aot_name: "InventWarehouseEntity",
        label_id: "@SYS6437",
        table_label: "Warehouses (InventLocation)",
        category: "Reference",
        read_only: false,
        company_scoped: true,
        fields: &[
            COMPANY,
            s("WarehouseId", 10, "Warehouse").label_id("@SYS6437").key(),
            s("WarehouseName", 60, "Name").label_id("@SYS7399"),
            s("OperationalSiteId", 10, "Site")
                .label_id("@SYS103211")
                .required(),
            f("WarehouseType", Enum("InventLocationType"), "Type").label_id("@SYS58325"),
            f(
                "IsWarehouseManagementEnabled",
                Enum("NoYes"),
                "Use warehouse management processes",
            )
            .label_id("@WAX1234"),
        ],
        navs: &[],
    },
    EntityDef {
        name: "ExchangeRate",
        set: "ExchangeRates",
        aot_name: "ExchangeRateEntity",
        label_id: "@SYS7390",
        table_label: "Exchange rates (ExchangeRate)",
        category: "Reference",
        read_only: false,
        company_scoped: false,
        fields: &[
            s("RateTypeName", 20, "Exchange rate type")
                .label_id("@SYS300003")
                .key(),
            s("FromCurrency", 3, "From currency")
                .label_id("@SYS8475")
                .key(),
            s("ToCurrency", 3, "To currency").label_id("@SYS8477").key(),
            f("StartDate", Date, "Start date")
                .label_id("@SYS2168")
                .key(),
            f("EndDate", Date, "End date").label_id("@SYS22882"),
            f("Rate", Decimal, "Exchange rate")
                .label_id("@SYS7390")
                .required(),
        ],
        navs: &[],
    },
    // Business events (declared with their feature in `demo::business_events`).
    crate::demo::business_events::CATALOG_ENTITY,
    crate::demo::business_events::ENDPOINTS_ENTITY,
];
