//! Enum types of the demo service, named and valued as in Finance & Operations.

/// An enum type: name, label id and `(member, value, label id)` triples.
#[derive(Debug, Clone, Copy)]
pub struct EnumDef {
    /// Enum type name, e.g. `NoYes`.
    pub name: &'static str,
    /// Optional enum label id.
    pub label_id: Option<&'static str>,
    /// Members: `(name, value, label id)`.
    pub members: &'static [(&'static str, i64, &'static str)],
}

impl EnumDef {
    /// The value of a member name.
    pub fn value_of(&self, member: &str) -> Option<i64> {
        self.members.iter().find(|m| m.0 == member).map(|m| m.1)
    }

    /// The member name of a value.
    pub fn name_of(&self, value: i64) -> Option<&'static str> {
        self.members.iter().find(|m| m.1 == value).map(|m| m.0)
    }
}

/// Every enum type of the demo service.
pub static ENUMS: &[EnumDef] = &[
    EnumDef {
        name: "NoYes",
        label_id: None,
        members: &[("No", 0, "@sys2048"), ("Yes", 1, "@sys5461")],
    },
    EnumDef {
        name: "CustVendorBlocked",
        label_id: Some("@SYS12265"),
        members: &[
            ("No", 0, "@SYS2048"),
            ("Invoice", 1, "@SYS14204"),
            ("All", 2, "@SYS1222"),
            ("Payment", 3, "@SYS5222"),
            ("Requisition", 4, "@SYS109651"),
            ("Never", 5, "@SYS54113"),
        ],
    },
    EnumDef {
        name: "SalesStatus",
        label_id: Some("@SYS25587"),
        members: &[
            ("None", 0, "@SYS1369"),
            ("Backorder", 1, "@SYS5963"),
            ("Delivered", 2, "@SYS2205"),
            ("Invoiced", 3, "@SYS6026"),
            ("Canceled", 4, "@SYS13151"),
        ],
    },
    EnumDef {
        name: "EcoResProductType",
        label_id: Some("@SYS132741"),
        members: &[("Item", 1, "@SYS12836"), ("Service", 2, "@SYS78969")],
    },
    EnumDef {
        name: "InventLocationType",
        label_id: Some("@SYS58325"),
        members: &[
            ("Standard", 0, "@SYS11780"),
            ("Quarantine", 1, "@SYS53960"),
            ("Transit", 2, "@SYS12926"),
        ],
    },
];
