package client

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// PushConfig says which push services the server sends through and the Web
// Push key to subscribe with. It needs no sign-in.
func (c *Client) PushConfig(ctx context.Context) (PushConfig, error) {
	return do[PushConfig](ctx, c, http.MethodGet, "/api/v1/push/config", nil)
}

// RegisterDevice registers (or refreshes) this device for push notifications.
func (c *Client) RegisterDevice(ctx context.Context, in DeviceInput) (Device, error) {
	return do[Device](ctx, c, http.MethodPost, "/api/v1/me/devices", in)
}

// Devices lists the signed-in person's push registrations.
func (c *Client) Devices(ctx context.Context) (List[Device], error) {
	return do[List[Device]](ctx, c, http.MethodGet, "/api/v1/me/devices", nil)
}

// DeleteDevice ends a push registration (on sign-out, or when the person
// turns notifications off).
func (c *Client) DeleteDevice(ctx context.Context, id string) error {
	_, err := do[struct{}](ctx, c, http.MethodDelete, "/api/v1/me/devices/"+url.PathEscape(id), nil)
	return err
}

// PollEvents returns the live events after lastEventID ("" for none yet:
// the answer then only holds the id to poll after).
func (c *Client) PollEvents(ctx context.Context, lastEventID string) (EventList, error) {
	p := "/api/v1/events"
	if lastEventID != "" {
		p += "?last_event_id=" + url.QueryEscape(lastEventID)
	}
	return do[EventList](ctx, c, http.MethodGet, p, nil)
}

// StreamEvents reads the live event stream (server-sent events) until ctx
// ends, the server closes it, or fn returns an error, which is returned.
// lastEventID resumes after an event already seen. It returns the id of the
// last event read, to resume with. The caller reconnects (after a pause) on
// any return other than ctx's end.
//
// The stream uses the client's transport when it is an *http.Transport and
// http.DefaultTransport otherwise: wrapping round-trippers (such as test
// validators) often read whole bodies, which a stream never ends.
func (c *Client) StreamEvents(ctx context.Context, lastEventID string, fn func(Event) error) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.r.BaseURL+"/api/v1/events", nil)
	if err != nil {
		return lastEventID, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if c.r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.r.Token)
	}
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	var rt http.RoundTripper = http.DefaultTransport
	if t, ok := c.r.GetClient().Transport.(*http.Transport); ok {
		rt = t
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return lastEventID, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var eb ErrorBody
		if json.Unmarshal(body, &eb) == nil && eb.Error.Code != "" {
			e := eb.Error
			e.Status = resp.StatusCode
			return lastEventID, &e
		}
		return lastEventID, &Error{Status: resp.StatusCode, Code: fmt.Sprintf("http_%d", resp.StatusCode), Message: strings.TrimSpace(string(body))}
	}
	return ReadEventStream(resp.Body, lastEventID, fn)
}

// ReadEventStream parses a text/event-stream body (the subset the server
// writes: id, event, data; comments are heartbeats) and calls fn per event.
// Event.Data is the data line (the event's JSON object); At is not sent.
func ReadEventStream(r io.Reader, lastEventID string, fn func(Event) error) (string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var ev Event
	var data strings.Builder
	hasData := false
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if hasData || ev.Kind != "" {
				if ev.Kind == "" {
					ev.Kind = "message"
				}
				ev.Data = json.RawMessage(data.String())
				if ev.ID != "" {
					lastEventID = ev.ID
				}
				if err := fn(ev); err != nil {
					return lastEventID, err
				}
			}
			ev, hasData = Event{}, false
			data.Reset()
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			ev.ID = value
		case "event":
			ev.Kind = value
		case "data":
			if hasData {
				data.WriteByte('\n')
			}
			data.WriteString(value)
			hasData = true
		}
	}
	if err := sc.Err(); err != nil {
		return lastEventID, err
	}
	return lastEventID, io.EOF
}
