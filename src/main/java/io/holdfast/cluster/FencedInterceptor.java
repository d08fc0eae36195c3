package io.holdfast.cluster;

import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/** Runs after the transaction interceptor (PLATFORM_BEFORE + 200), i.e. inside the transaction. */
@Fenced
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 300)
class FencedInterceptor {

    private final WriteGuard guard;

    FencedInterceptor(WriteGuard guard) {
        this.guard = guard;
    }

    @AroundInvoke
    Object guard(InvocationContext ctx) throws Exception {
        guard.check();
        return ctx.proceed();
    }
}
