package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// TestActivityPicture: the signed address of a live activity's picture
// (for Slack and Teams) serves its thumbnail and nothing else: not with
// another signature, another program's id, nor once the activity is
// removed.
func TestActivityPicture(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := apitest.New(t, st)
		img := e.UploadMedia("wechat_photo", apitest.TestData("image.png"))
		a := must[client.Activity](t)(e.Manager.CreateActivity(ctx, e.ProgramID, client.ActivityInput{Type: apitest.Ptr("wechat_photo"),
			Message: apitest.Ptr("With a picture"), MediaID: &img.MediaID}))
		da, err := st.Activity(ctx, e.ProgramID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		u := e.API.PictureURL(&da)
		get := func(u string) *http.Response {
			t.Helper()
			resp, err := http.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		if r := get(u); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("picture: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
		other, _ := e.OtherProgram()
		for _, bad := range []string{u[:len(u)-2] + "xx", e.URL + "/p/" + other + "/" + a.ID + u[len(u)-25:]} {
			if r := get(bad); r.StatusCode != 404 {
				t.Errorf("%s: %d", bad, r.StatusCode)
			}
		}
		if _, err := e.Manager.RemoveActivity(ctx, e.ProgramID, a.ID); err != nil {
			t.Fatal(err)
		}
		if r := get(u); r.StatusCode != 404 {
			t.Fatalf("removed activity's picture: %d", r.StatusCode)
		}
	})
}
