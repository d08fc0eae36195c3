package io.holdfast.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.junit.jupiter.api.Test;

/**
 * Which Kafka failures cost the publisher its producer (KafkaProducer's contract): fatal errors and a timed-out
 * transactional call close it; an abortable error (records expired undelivered while the brokers were down, a
 * TransactionAbortableException) only aborts the Kafka transaction, and the same producer sends the batch again.
 */
class PublisherErrorsTest {

    @Test
    void shouldCloseTheProducerOnFatalErrorsAndTimedOutTransactionalCalls() {
        assertThat(OutboxPublisher.mustClose(new ProducerFencedException("fenced by node-b"))).isTrue();
        assertThat(OutboxPublisher.mustClose(new InvalidProducerEpochException("old epoch"))).isTrue();
        assertThat(OutboxPublisher.mustClose(new OutOfOrderSequenceException("gap"))).isTrue();
        assertThat(OutboxPublisher.mustClose(new KafkaException("fatal state", new ProducerFencedException("x"))))
                .isTrue();
        assertThat(OutboxPublisher.mustClose(new TimeoutException("Timeout expired after 20000ms while awaiting "
                + "EndTxn(true)"))).isTrue();
    }

    @Test
    void shouldKeepTheProducerOnAbortableErrors() {
        assertThat(OutboxPublisher.mustClose(new KafkaException("Cannot execute transactional method because we are "
                + "in an error state", new TimeoutException("Expiring 12 record(s): 20000 ms has passed")))).isFalse();
        assertThat(OutboxPublisher.mustClose(new TransactionAbortableException("abort"))).isFalse();
        assertThat(OutboxPublisher.mustClose(new KafkaException(new NotEnoughReplicasException("isr 1 < 2"))))
                .isFalse();
    }
}
