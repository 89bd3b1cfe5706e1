// The client of auth_echo.html: what a janus.js application given an API secret does, without
// media. The echotest's answer comes back as an event, so it arrives through the long-poll,
// which janus.js sends with ?apisecret= (and ?token=).
const params = new URLSearchParams(location.search);
const state = { created: false, attached: false, event: null, errors: [] };
window.report = () => state;

function fail(error) {
    state.errors.push(String(error && error.message ? error.message : error));
}

function attachEcho(janus) {
    state.created = true;
    janus.attach({
        plugin: 'janus.plugin.echotest',
        success: (handle) => {
            state.attached = true;
            handle.send({ message: { audio: true } });
        },
        error: fail,
        onmessage: (message) => {
            state.event = message;
        },
    });
}

Janus.init({
    debug: false,
    callback: () => {
        const options = { server: params.get('server'), iceServers: [], error: fail };
        if (params.has('apisecret')) options.apisecret = params.get('apisecret');
        if (params.has('token')) options.token = params.get('token');
        const janus = new Janus({ ...options, success: () => attachEcho(janus) });
    },
});
