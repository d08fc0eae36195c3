package io.holdfast.cluster;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.interceptor.InterceptorBinding;

import io.holdfast.platform.ModuleApi;

/**
 * Marks a business write: runs the {@link WriteGuard} first inside the method's transaction, so the
 * transaction commits only under this node's epoch. Put it next to {@code @Transactional}.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
@ModuleApi
public @interface Fenced {
}
