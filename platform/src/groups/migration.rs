//! The test of migration 0013, which moved the free-text schedules, teachers and
//! addresses of groups into rows: here, beside the rows' readers, since the database layer
//! may not know the catalog's values.

#[cfg(test)]
mod tests {
    use sqlx::Row;

    use std::borrow::Cow;

    use crate::catalog::model::Schedule;
    use crate::db::{migrator, Backend, Db};

    /// The old free-text schedules, teachers and addresses become rows (migration 0013, in
    /// SQLite's SQL; the PostgreSQL file does the same, compared by the suite's PostgreSQL
    /// run): each text splits as `Schedule::parse` reads it.
    #[tokio::test]
    async fn migration_13_moves_schedules_teachers_and_places_into_rows() {
        let path = std::env::temp_dir().join(format!(
            "navigator-migration-13-{}-{:?}.db",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        let db = Db::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let mut before = migrator(Backend::Sqlite);
        before.migrations = Cow::Owned(
            before
                .migrations
                .iter()
                .filter(|m| m.version < 13)
                .cloned()
                .collect(),
        );
        before.run(db.pool()).await.unwrap();
        let schedules = [
            "1 15:00-16:30; 3 15:00-16:30",
            "6 09:00-10:00",
            "",
            "2 14:30-15:15;4 14:30-15:15; 5 18:00-19:30",
        ];
        for sql in [
            "INSERT INTO tenants (id, slug, code, source, revision, created_at, updated_at) \
             VALUES (1, 'a', 67, 'x', 1, 't', 't')",
            "INSERT INTO municipalities (tenant_id, id, name, population_5_18, lat, lon, \
             nominal_kopecks, position) VALUES (1, 'm', 'm', 1, 1, 1, 1, 1)",
            "INSERT INTO profiles (tenant_id, id, direction, name, position) \
             VALUES (1, 'x', 'art', 'x', 1)",
            "INSERT INTO organizations (tenant_id, id, name, short_name, kind, inn, \
             municipality_id, address, lat, lon, phone, email, description, can_confirm, \
             created_at, updated_at) VALUES \
             (1, 1, 'O1', 'O1', 'education', '1', 'm', 'a', 54.0, 32.0, 'p', 'e', 'd', 0, 'c', 'u'), \
             (1, 2, 'O2', 'O2', 'education', '1', 'm', 'a', 54.0, 32.0, 'p', 'e', 'd', 0, 'c', 'u')",
            "INSERT INTO programs (tenant_id, id, organization_id, title, description, \
             direction, profile_id, level, age_min, age_max, ovz, financing, price_kopecks, \
             duration_months, hours, status, created_at, updated_at) VALUES \
             (1, 1, 1, 't', 'd', 'art', 'x', 'start', 5, 9, 0, 'free', 0, 9, 72, 'published', 'c', 'u'), \
             (1, 2, 2, 't', 'd', 'art', 'x', 'start', 7, 12, 0, 'free', 0, 9, 72, 'published', 'c', 'u')",
            // A place Радуга's staff already entered: the group at that address takes it.
            "INSERT INTO places (tenant_id, id, organization_id, address, lat, lon, created_at, \
             updated_at) VALUES (1, 1, 1, 'ул. Мира, 1', 54.1, 32.1, 'c', 'u')",
            "INSERT INTO id_sequences (tenant_id, name, next_id) VALUES (1, 'places', 2)",
        ] {
            sqlx::query(sql).execute(db.pool()).await.unwrap();
        }
        let groups = [
            (1, 1, "Иванова", "ул. Мира, 1", 54.1),
            (2, 1, " Иванова ", "ул. Ленина, 2", 54.2),
            (3, 2, "Иванова", "ул. Мира, 1", 54.1),
            (4, 1, "Петров", "ул. Ленина, 2", 54.2),
        ];
        for ((id, program, teacher, address, lat), schedule) in groups.iter().zip(schedules) {
            sqlx::query(
                "INSERT INTO study_groups (tenant_id, id, program_id, name, teacher, address, \
                 lat, lon, schedule, capacity, enroll_from, enroll_to, study_from, study_to) \
                 VALUES (1, $1, $2, 'g', $3, $4, $5, 32.1, $6, 10, '2026-01-01', '2026-02-01', \
                 '2026-01-01', '2026-05-01')",
            )
            .bind(*id as i64)
            .bind(*program as i64)
            .bind(*teacher)
            .bind(*address)
            .bind(*lat)
            .bind(schedule)
            .execute(db.pool())
            .await
            .unwrap();
        }
        db.migrate().await.unwrap();

        for ((id, ..), text) in groups.iter().zip(schedules) {
            let rows = sqlx::query(
                "SELECT weekday, starts, ends, date_from, date_to FROM group_sessions \
                 WHERE tenant_id = 1 AND group_id = $1 ORDER BY position",
            )
            .bind(*id as i64)
            .fetch_all(db.pool())
            .await
            .unwrap();
            let got: Vec<_> = rows
                .iter()
                .map(|r| crate::catalog::store::session_from(r).unwrap())
                .collect();
            assert_eq!(Schedule(got), Schedule::parse(text).unwrap(), "{text}");
        }
        let teachers: Vec<(i64, i64, String)> = sqlx::query(
            "SELECT t.id, t.organization_id, t.name FROM teachers t WHERE t.tenant_id = 1 ORDER BY t.id",
        )
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
        // One «Иванова» per organization (the spaces trimmed), and Петров.
        assert_eq!(
            teachers,
            [
                (1, 1, "Иванова".to_owned()),
                (2, 1, "Петров".to_owned()),
                (3, 2, "Иванова".to_owned())
            ]
        );
        let linked: Vec<(i64, i64, i64, i64)> = sqlx::query(
            "SELECT g.id, g.place_id, gt.teacher_id, g.age_min FROM study_groups g \
             JOIN group_teachers gt ON gt.tenant_id = g.tenant_id AND gt.group_id = g.id \
             WHERE g.tenant_id = 1 ORDER BY g.id",
        )
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
        // The existing place reused; ул. Ленина made once for Радуга; Кванториум's own
        // place at ул. Мира; ages from the programs.
        assert_eq!(
            linked,
            [(1, 1, 1, 5), (2, 2, 1, 5), (3, 3, 3, 7), (4, 2, 2, 5)]
        );
        let next: i64 =
            sqlx::query("SELECT next_id FROM id_sequences WHERE tenant_id = 1 AND name = 'places'")
                .fetch_one(db.pool())
                .await
                .unwrap()
                .get(0);
        assert_eq!(next, 4);
        db.close().await;
        let _ = std::fs::remove_file(&path);
    }
}
