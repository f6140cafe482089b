/**
 * The OWASP Core Rule Set as Tiyi uses it: where a CRS installation keeps its rules and setup file
 * ({@link io.tiyi.waf.crs.CrsLayout}, including Debian's split layout), which version it is (CRS 4
 * only), and installing a release into a node's state directory ({@link io.tiyi.waf.crs.CrsInstaller}).
 */
package io.tiyi.waf.crs;
