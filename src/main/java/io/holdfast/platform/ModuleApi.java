package io.holdfast.platform;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class as part of its module's facade: the other modules may use it (and the types nested in it).
 * Everything else in a module is its own business, package-private where Java allows; {@code ArchitectureTest}
 * fails the build when a module reaches past another's facade.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
@ModuleApi
public @interface ModuleApi {
}
