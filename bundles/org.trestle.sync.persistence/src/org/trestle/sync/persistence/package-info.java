/**
 * Local storage: opens a JPA {@code EntityManagerFactory} over an embedded database in a
 * data directory, with a persistence unit assembled at run time from entity classes that
 * other bundles contribute.
 *
 * @since 0.1
 */
package org.trestle.sync.persistence;
