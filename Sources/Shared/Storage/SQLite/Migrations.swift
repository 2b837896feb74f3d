import GRDB

extension AppDatabase {
    /// The shared history (`Schema.steps`) as GRDB migrations, in order.
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for step in Schema.steps {
            let sql = step.sql(.sqlite)
            migrator.registerMigration(step.name) { db in try db.execute(sql: sql) }
        }
        return migrator
    }
}
