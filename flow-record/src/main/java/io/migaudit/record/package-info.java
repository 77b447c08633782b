/**
 * The one schema shared by capture agent and analyzer: flow records, alerts, migration events and
 * their JSON form.
 */
package io.migaudit.record;
