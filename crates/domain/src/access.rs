//! Who may do what, and over which departments.
//!
//! The web layer turns a request into an [`Actor`]; [`authorize`] turns an
//! actor and a [`Permission`] into a [`Grant`]. The store's scoped views take a
//! `Grant`, never an actor, so a query cannot run without the check having
//! happened, and a clerk's grant only covers the clerk's own department.

use crate::macros::coded_enum;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// The roles of DOMAIN.md §1.
    Role {
        Applicant = "applicant", "申请人";
        Clerk = "clerk", "窗口工作人员";
        Approver = "approver", "审批人员";
        ChiefRep = "chief_rep", "首席代表";
        Admin = "admin", "中心管理员";
        Supervisor = "supervisor", "监督人员";
        Leader = "leader", "领导";
    }
}

impl Role {
    /// Department staff work for exactly one department and see only its data.
    pub fn needs_department(self) -> bool {
        matches!(self, Role::Clerk | Role::Approver | Role::ChiefRep)
    }

    /// Anyone but an applicant works in the back office.
    pub fn is_staff(self) -> bool {
        self != Role::Applicant
    }
}

/// A signed-in user as the rules see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub department_id: Option<i64>,
}

/// Things that need a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read items including unpublished drafts.
    ReadCatalogue,
    /// Create items and edit drafts.
    EditItems,
    /// Publish a draft so the public sees it.
    PublishItems,
    /// Create and change departments and centers.
    ManageDepartments,
    /// Create users.
    ManageUsers,
    /// Read reports (entry report, limit report).
    ViewReports,
    /// Import department returns and export the catalogue.
    ImportExport,
    /// Read cases (办件) and their trails; department staff see their department's.
    ReadCases,
    /// Act on cases at the window or in the back office (the case rules then
    /// check which role may take which step).
    HandleCases,
    /// Edit the working calendar.
    ManageCalendar,
    /// Book shared rooms (any staff member) and cancel one's own bookings.
    BookRooms,
    /// Add and change shared rooms, approve, reject and cancel any booking.
    ManageRooms,
    /// See warnings, violations and correction orders (a department its own).
    ViewSupervision,
    /// Issue, return and close correction orders, dismiss violations, change
    /// the warning thresholds.
    Supervise,
    /// Answer a correction order sent to one's department.
    AnswerCorrections,
    /// Lay out the hall: halls, floors, zones, business categories, windows.
    ManageHall,
    /// See the staff roster (a department its own); ID numbers and phones
    /// stay masked unless the viewer is an admin.
    ViewStaff,
    /// Edit the roster, representatives, matrix and replacements, record
    /// attendance for others.
    ManageStaff,
}

/// Which departments' data a grant reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepartmentScope {
    All,
    Only(i64),
}

impl DepartmentScope {
    pub fn covers(self, department_id: i64) -> bool {
        match self {
            Self::All => true,
            Self::Only(d) => d == department_id,
        }
    }

    /// The single department, when the scope is one.
    pub fn department(self) -> Option<i64> {
        match self {
            Self::All => None,
            Self::Only(d) => Some(d),
        }
    }
}

/// Proof that an actor holds a permission, with the departments it covers.
/// Only [`authorize`] builds one.
#[derive(Debug, Clone)]
pub struct Grant {
    actor: Actor,
    permission: Permission,
    scope: DepartmentScope,
}

impl Grant {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn permission(&self) -> Permission {
        self.permission
    }

    pub fn scope(&self) -> DepartmentScope {
        self.scope
    }

    pub fn covers(&self, department_id: i64) -> bool {
        self.scope.covers(department_id)
    }
}

/// Refused: the role may not do this at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("role {role:?} lacks {permission:?}")]
pub struct AccessDenied {
    pub role: Role,
    pub permission: Permission,
}

/// Whether a role holds a permission at all (before department scoping).
pub fn role_allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    use Role::*;
    match permission {
        ReadCatalogue | ViewReports => role.is_staff(),
        EditItems => matches!(role, Admin | ChiefRep),
        PublishItems | ManageDepartments | ManageUsers | ImportExport | ManageCalendar
        | ManageHall => role == Admin,
        ReadCases => role.is_staff(),
        BookRooms => role.is_staff(),
        ManageRooms => role == Admin,
        HandleCases => matches!(role, Clerk | Approver | ChiefRep | Admin | Leader),
        ViewSupervision => role.is_staff(),
        Supervise => matches!(role, Supervisor | Admin),
        AnswerCorrections => matches!(role, Clerk | Approver | ChiefRep),
        ViewStaff => role.is_staff(),
        ManageStaff => role == Admin,
    }
}

/// Checks the permission and scopes it: department staff get their department,
/// center-wide roles get everything.
pub fn authorize(actor: &Actor, permission: Permission) -> Result<Grant, AccessDenied> {
    let denied = AccessDenied {
        role: actor.role,
        permission,
    };
    if !role_allows(actor.role, permission) {
        return Err(denied);
    }
    let scope = if actor.role.needs_department() {
        // A department role without a department sees nothing rather than everything.
        DepartmentScope::Only(actor.department_id.ok_or(denied)?)
    } else {
        DepartmentScope::All
    };
    Ok(Grant {
        actor: actor.clone(),
        permission,
        scope,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, department_id: Option<i64>) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            role,
            department_id,
        }
    }

    #[test]
    fn department_staff_are_scoped_to_their_department() {
        let g = authorize(&actor(Role::Clerk, Some(7)), Permission::ReadCatalogue).unwrap();
        assert_eq!(g.scope(), DepartmentScope::Only(7));
        assert!(g.covers(7) && !g.covers(8));
        let g = authorize(&actor(Role::Supervisor, None), Permission::ReadCatalogue).unwrap();
        assert_eq!(g.scope(), DepartmentScope::All);
    }

    #[test]
    fn roles_without_the_permission_are_refused() {
        assert!(authorize(&actor(Role::Clerk, Some(7)), Permission::EditItems).is_err());
        assert!(authorize(&actor(Role::ChiefRep, Some(7)), Permission::PublishItems).is_err());
        assert!(authorize(&actor(Role::Applicant, None), Permission::ReadCatalogue).is_err());
        assert!(authorize(&actor(Role::Admin, None), Permission::PublishItems).is_ok());
    }

    #[test]
    fn only_administrators_lay_out_the_hall() {
        assert!(authorize(&actor(Role::Admin, None), Permission::ManageHall).is_ok());
        for role in [Role::Clerk, Role::ChiefRep, Role::Approver] {
            assert!(authorize(&actor(role, Some(7)), Permission::ManageHall).is_err());
        }
        for role in [Role::Supervisor, Role::Leader, Role::Applicant] {
            assert!(authorize(&actor(role, None), Permission::ManageHall).is_err());
        }
    }

    #[test]
    fn a_department_role_without_department_gets_nothing() {
        assert!(authorize(&actor(Role::Approver, None), Permission::ReadCatalogue).is_err());
    }
}
