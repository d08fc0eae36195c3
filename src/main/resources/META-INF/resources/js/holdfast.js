// Holdfast pages: the bet slip (kept in localStorage so it survives a reload), live price flashes,
// suspended markets, and the live-bet countdown. No inline scripts anywhere (CSP script-src 'self').
(function () {
    'use strict';

    var SLIP_KEY = 'holdfast.slip';

    function emptySlip() {
        return { legs: [], stake: '', mode: 'single', policy: 'NONE' };
    }

    function loadSlip() {
        try {
            var slip = JSON.parse(window.localStorage.getItem(SLIP_KEY));
            if (slip && Array.isArray(slip.legs)) {
                return slip;
            }
        } catch (e) {
            // a corrupt slip is an empty slip
        }
        return emptySlip();
    }

    function saveSlip(slip) {
        window.localStorage.setItem(SLIP_KEY, JSON.stringify(slip));
    }

    function cents(text) {
        if (!text) {
            return 0;
        }
        var m = String(text).trim().replace(',', '.').match(/^(\d{1,12})(?:\.(\d{1,2}))?$/);
        if (!m) {
            return 0;
        }
        return parseInt(m[1], 10) * 100 + (m[2] ? parseInt((m[2] + '0').slice(0, 2), 10) : 0);
    }

    function money(c) {
        var sign = c < 0 ? '-' : '';
        c = Math.abs(c);
        var rest = String(c % 100);
        return sign + Math.floor(c / 100) + '.' + (rest.length < 2 ? '0' + rest : rest);
    }

    function payout(slip) {
        var stake = cents(slip.stake);
        if (!stake || slip.legs.length === 0) {
            return 0;
        }
        if (slip.mode === 'acca') {
            var product = slip.legs.reduce(function (p, l) { return p * parseFloat(l.odds); }, 1);
            return Math.floor(stake * product + 1e-6);
        }
        return slip.legs.reduce(function (sum, l) { return sum + Math.floor(stake * parseFloat(l.odds) + 1e-6); }, 0);
    }

    function el(tag, cls, text) {
        var e = document.createElement(tag);
        if (cls) {
            e.className = cls;
        }
        if (text !== undefined) {
            e.textContent = text;
        }
        return e;
    }

    function renderSlip() {
        var list = document.getElementById('slip-legs');
        if (!list) {
            return;
        }
        var slip = loadSlip();
        list.replaceChildren();
        var hidden = document.getElementById('slip-hidden');
        if (hidden) {
            hidden.replaceChildren();
        }
        slip.legs.forEach(function (leg) {
            var li = el('li', 'slip-leg');
            li.dataset.sel = leg.sel;
            li.appendChild(el('span', 'slip-label', leg.label));
            li.appendChild(el('strong', 'slip-odds', leg.shown));
            var remove = el('button', 'link remove', 'remove');
            remove.type = 'button';
            remove.dataset.remove = leg.sel;
            remove.setAttribute('aria-label', 'Remove ' + leg.label);
            li.appendChild(remove);
            list.appendChild(li);
            if (hidden) {
                var input = document.createElement('input');
                input.type = 'hidden';
                input.name = 'leg';
                input.value = leg.sel + ':' + leg.odds;
                hidden.appendChild(input);
            }
        });
        var jump = document.getElementById('slip-jump');
        if (jump) {
            jump.hidden = slip.legs.length === 0;
            document.getElementById('slip-count').textContent = String(slip.legs.length);
        }
        var empty = document.getElementById('slip-empty');
        if (empty) {
            empty.hidden = slip.legs.length > 0;
        }
        var stake = document.getElementById('stake');
        if (stake && document.activeElement !== stake) {
            stake.value = slip.stake || '';
        }
        var mode = document.getElementById(slip.mode === 'acca' ? 'mode-acca' : 'mode-single');
        if (mode) {
            mode.checked = true;
        }
        var policy = document.getElementById('policy');
        if (policy) {
            policy.value = slip.policy || 'NONE';
        }
        var out = document.getElementById('payout');
        if (out) {
            out.textContent = money(payout(slip));
        }
        document.querySelectorAll('.sel').forEach(function (b) {
            b.classList.toggle('in-slip', slip.legs.some(function (l) { return String(l.sel) === b.dataset.sel; }));
        });
    }

    function toggleLeg(button) {
        var slip = loadSlip();
        var sel = button.dataset.sel;
        var odds = button.querySelector('.odds');
        var had = slip.legs.some(function (l) { return String(l.sel) === sel; });
        // one selection per market: a new pick on the same market replaces the old one
        slip.legs = slip.legs.filter(function (l) { return String(l.market) !== button.dataset.market; });
        if (!had && slip.legs.length < 20) {
            slip.legs.push({
                sel: sel, market: button.dataset.market, event: button.dataset.event,
                label: button.dataset.label, odds: odds.dataset.odds, shown: odds.textContent.trim()
            });
        }
        saveSlip(slip);
        renderSlip();
    }

    function newRequestId() {
        if (window.crypto && typeof window.crypto.randomUUID === 'function') {
            return window.crypto.randomUUID();
        }
        return 'r' + Date.now().toString(36) + Math.random().toString(36).slice(2);
    }

    document.addEventListener('click', function (e) {
        var remove = e.target.closest('[data-remove]');
        if (remove) {
            var slip = loadSlip();
            slip.legs = slip.legs.filter(function (l) { return String(l.sel) !== remove.dataset.remove; });
            saveSlip(slip);
            renderSlip();
            return;
        }
        if (e.target.closest('#slip-clear')) {
            var cleared = loadSlip();
            cleared.legs = [];
            saveSlip(cleared);
            renderSlip();
            return;
        }
        var button = e.target.closest('button.sel');
        if (button && !button.disabled) {
            toggleLeg(button);
        }
    });

    document.addEventListener('input', function (e) {
        var slip = loadSlip();
        if (e.target.id === 'stake') {
            slip.stake = e.target.value;
        } else if (e.target.name === 'mode' && e.target.form && e.target.form.id === 'slip-form') {
            slip.mode = e.target.value;
        } else if (e.target.id === 'policy') {
            slip.policy = e.target.value;
        } else {
            return;
        }
        saveSlip(slip);
        var out = document.getElementById('payout');
        if (out) {
            out.textContent = money(payout(slip));
        }
    });

    document.addEventListener('change', function (e) {
        if (e.target.id === 'odds-format' && e.target.form) {
            e.target.form.requestSubmit();
        } else if (e.target.name === 'mode' || e.target.id === 'policy') {
            var slip = loadSlip();
            if (e.target.name === 'mode') {
                slip.mode = e.target.value;
            } else {
                slip.policy = e.target.value;
            }
            saveSlip(slip);
            renderSlip();
        }
    });

    // What the slip asks for: its legs, stake, mode and policy (not the CSRF token, not the requestId).
    function slipAsked(form) {
        var parts = [];
        new FormData(form).forEach(function (value, name) {
            if (name !== 'requestId' && name.indexOf('csrf') < 0) {
                parts.push(name + '=' + value);
            }
        });
        return parts.join('&');
    }

    // One requestId per slip: the same slip sent again (a double click, a retry after an error or a timeout
    // whose answer never came) carries the same requestId, so the server returns the bet it may already have
    // placed instead of placing a second one. A changed slip gets a new id; a placed one forgets its id.
    document.addEventListener('submit', function (e) {
        if (e.target.id === 'slip-form') {
            var id = document.getElementById('slip-request');
            if (id) {
                var slip = loadSlip();
                var asked = slipAsked(e.target);
                if (!slip.requestId || slip.asked !== asked) {
                    slip.requestId = newRequestId();
                    slip.asked = asked;
                    saveSlip(slip);
                }
                id.value = slip.requestId;
            }
        }
    }, true);

    document.body.addEventListener('htmx:afterSwap', function (e) {
        if (e.detail && e.detail.target && e.detail.target.id === 'slip-result'
                && e.detail.target.querySelector('[data-placed]')) {
            var slip = loadSlip();
            slip.legs = [];
            delete slip.requestId;
            delete slip.asked;
            saveSlip(slip);
            renderSlip();
        }
        startCountdowns();
    });

    // The live stream resumes where it left off. EventSource's own reconnect sends Last-Event-ID by itself; when it
    // gives up (the node was down, the balancer answered 503) htmx opens a new EventSource, which would not: it asks
    // with ?lastEventId= instead. A stream that cannot resume sends `reload`, and the page fetches fresh prices.
    var lastOddsId = null;
    window.htmx.createEventSource = function (url) {
        var resume = lastOddsId ? (url.indexOf('?') < 0 ? '?' : '&') + 'lastEventId=' + encodeURIComponent(lastOddsId) : '';
        var source = new EventSource(url + resume, { withCredentials: true });
        source.addEventListener('live', function (e) { lastOddsId = e.lastEventId || lastOddsId; });
        source.addEventListener('reload', function () { window.location.reload(); });
        return source;
    };
    document.body.addEventListener('htmx:sseMessage', function (e) {
        if (e.detail && e.detail.lastEventId) {
            lastOddsId = e.detail.lastEventId;
        }
    });

    // live prices: remember the old price, then flash the change and grey a market that stopped trading
    document.body.addEventListener('htmx:sseBeforeMessage', function (e) {
        var odds = e.target.querySelector && e.target.querySelector('.odds');
        if (odds) {
            e.target.dataset.prev = odds.dataset.odds;
        }
    });

    document.body.addEventListener('htmx:sseMessage', function (e) {
        var holder = e.target;
        var odds = holder.querySelector && holder.querySelector('.odds');
        if (!odds) {
            return;
        }
        var button = holder.closest('.sel');
        var before = parseFloat(holder.dataset.prev);
        var now = parseFloat(odds.dataset.odds);
        if (button && !isNaN(before) && before !== now) {
            var dir = now > before ? 'up' : 'down';
            button.classList.remove('flash-up', 'flash-down');
            void button.offsetWidth; // restart the animation
            button.classList.add('flash-' + dir);
            button.dataset.lastMove = dir;
            window.setTimeout(function () { button.classList.remove('flash-' + dir); }, 3000);
        }
        var market = document.getElementById('market-' + odds.dataset.market);
        if (market) {
            var open = odds.dataset.status === 'OPEN';
            market.classList.toggle('suspended', !open);
            market.querySelectorAll('button.sel').forEach(function (b) { b.disabled = !open; });
            var label = market.querySelector('.mstatus');
            if (label) {
                label.textContent = open ? '' : odds.dataset.status;
            }
        }
    });

    document.body.addEventListener('htmx:sseOpen', function () {
        document.body.dataset.live = 'yes';
        var state = document.getElementById('live-state');
        if (state) {
            state.textContent = 'live';
            state.classList.add('on');
        }
    });

    document.body.addEventListener('htmx:sseError', function () {
        delete document.body.dataset.live;
        var state = document.getElementById('live-state');
        if (state) {
            state.textContent = 'reconnecting…';
            state.classList.remove('on');
        }
    });

    // Leaving a page closes its live stream at once. Kept open in the back/forward cache, each page left behind held
    // one of the browser's six connections to this host (HTTP/1.1): the seventh page with a stream in a row never
    // loaded. A page brought back from that cache is loaded again, with a fresh stream and fresh prices.
    window.addEventListener('pagehide', function () {
        document.querySelectorAll('[sse-connect]').forEach(function (el) {
            window.htmx.trigger(el, 'htmx:beforeCleanupElement');
        });
    });
    window.addEventListener('pageshow', function (e) {
        if (e.persisted && document.querySelector('[sse-connect]')) {
            window.location.reload();
        }
    });

    function startCountdowns() {
        var now = Date.now();
        document.querySelectorAll('.countdown[data-remaining]').forEach(function (c) {
            if (!c.dataset.due) {
                c.dataset.due = String(now + parseInt(c.dataset.remaining, 10));
            }
        });
    }

    window.setInterval(function () {
        var now = Date.now();
        document.querySelectorAll('.countdown[data-due]').forEach(function (c) {
            c.textContent = String(Math.max(0, Math.ceil((parseInt(c.dataset.due, 10) - now) / 1000)));
        });
    }, 250);

    renderSlip();
    startCountdowns();
}());
