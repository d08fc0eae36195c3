package io.holdfast.web;

import io.holdfast.betting.BetView;
import io.holdfast.odds.Views;
import io.quarkus.qute.TemplateData;

/** Types the shared (untyped) template parts read, so Qute generates their value resolvers at build time. */
@TemplateData(target = Views.EventView.class)
@TemplateData(target = Views.MarketView.class)
@TemplateData(target = Views.SelectionView.class)
@TemplateData(target = BetView.class)
@TemplateData(target = BetView.Leg.class)
@TemplateData(target = BetRows.BetRow.class)
@TemplateData(target = BetRows.LegRow.class)
final class TemplateTypes {

    private TemplateTypes() {
    }
}
