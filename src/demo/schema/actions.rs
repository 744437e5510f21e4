//! The OData actions of the demo service: bound to an entity, to a collection, or unbound.

use super::FieldType;

/// What an action is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionBinding {
    /// Bound to one entity of the named entity set.
    Entity(&'static str),
    /// Bound to the named entity set as a whole.
    Collection(&'static str),
    /// Not bound; exposed through an action import in the container.
    Unbound,
}

/// A typed action parameter (besides the binding parameter `_this`).
#[derive(Debug, Clone, Copy)]
pub struct ParamDef {
    /// Parameter name.
    pub name: &'static str,
    /// Parameter type.
    pub ty: FieldType,
}

/// One action.
#[derive(Debug, Clone, Copy)]
pub struct ActionDef {
    /// Action name (unqualified).
    pub name: &'static str,
    /// Binding.
    pub binding: ActionBinding,
    /// Parameters, in order.
    pub params: &'static [ParamDef],
    /// Return type, or `None` for actions returning nothing (204).
    pub returns: Option<FieldType>,
    /// Whether the action changes the bound record (then `If-Match` applies and an `Updated`
    /// change event is published).
    pub changes_record: bool,
}

/// Every action of the demo service.
pub static ACTIONS: &[ActionDef] = &[
    ActionDef {
        name: "BlockCustomer",
        binding: ActionBinding::Entity("CustomersV3"),
        params: &[],
        returns: None,
        changes_record: true,
    },
    ActionDef {
        name: "GetCreditLimitAvailable",
        binding: ActionBinding::Entity("CustomersV3"),
        params: &[],
        returns: Some(FieldType::Decimal),
        changes_record: false,
    },
    ActionDef {
        name: "AdjustCreditLimit",
        binding: ActionBinding::Entity("CustomersV3"),
        params: &[
            ParamDef {
                name: "Amount",
                ty: FieldType::Decimal,
            },
            ParamDef {
                name: "Reason",
                ty: FieldType::String(60),
            },
            ParamDef {
                name: "EffectiveDate",
                ty: FieldType::Date,
            },
        ],
        returns: Some(FieldType::Decimal),
        changes_record: true,
    },
    ActionDef {
        name: "CountOnHold",
        binding: ActionBinding::Collection("CustomersV3"),
        params: &[],
        returns: Some(FieldType::Int32),
        changes_record: false,
    },
    ActionDef {
        name: "GetApplicationVersion",
        binding: ActionBinding::Unbound,
        params: &[],
        returns: Some(FieldType::String(0)),
        changes_record: false,
    },
];
