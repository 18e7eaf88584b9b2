// APNs glue for push_ios.go. Fyne's app delegate (GoAppAppDelegate, which
// is also the UNUserNotificationCenter delegate) does not implement the
// remote-notification callbacks, so they are added to its class when this
// image loads, before UIApplicationMain runs: a notification tapped while
// the app was not running is then answered too.

#import <UIKit/UIKit.h>
#import <UserNotifications/UserNotifications.h>
#import <objc/runtime.h>

extern void chorusPushAuthorized(int granted, char *message);
extern void chorusPushToken(char *hex);
extern void chorusPushFailed(char *message);
extern void chorusNotificationOpened(char *activityID);

// Permission states as push_ios.go numbers them.
enum { chorusPushNotDetermined = 0, chorusPushDenied = 1, chorusPushAuthorizedState = 2 };

static void didRegister(id self, SEL _cmd, UIApplication *app, NSData *token) {
	const unsigned char *b = token.bytes;
	NSMutableString *hex = [NSMutableString stringWithCapacity:token.length * 2];
	for (NSUInteger i = 0; i < token.length; i++) {
		[hex appendFormat:@"%02x", b[i]];
	}
	chorusPushToken((char *)hex.UTF8String);
}

static void didFailToRegister(id self, SEL _cmd, UIApplication *app, NSError *error) {
	chorusPushFailed((char *)error.localizedDescription.UTF8String);
}

// A tapped notification: its payload carries activity_id beside aps (see
// backend/internal/push/apns.BuildPayload).
static void didReceiveResponse(id self, SEL _cmd, UNUserNotificationCenter *center, UNNotificationResponse *response, void (^completionHandler)(void)) {
	if ([response.actionIdentifier isEqualToString:UNNotificationDefaultActionIdentifier]) {
		id aid = response.notification.request.content.userInfo[@"activity_id"];
		if ([aid isKindOfClass:[NSString class]] && [aid length] > 0) {
			chorusNotificationOpened((char *)[aid UTF8String]);
		}
	}
	completionHandler();
}

static void addMethod(Class cls, SEL sel, IMP imp, Protocol *proto) {
	struct objc_method_description d = protocol_getMethodDescription(proto, sel, NO, YES);
	if (d.types == NULL) {
		return;
	}
	// class_addMethod keeps an implementation Fyne may add one day.
	class_addMethod(cls, sel, imp, d.types);
}

@interface ChorusPushHooks : NSObject
@end

@implementation ChorusPushHooks
+ (void)load {
	Class cls = objc_getClass("GoAppAppDelegate");
	if (cls == Nil) {
		return;
	}
	addMethod(cls, @selector(application:didRegisterForRemoteNotificationsWithDeviceToken:), (IMP)didRegister, @protocol(UIApplicationDelegate));
	addMethod(cls, @selector(application:didFailToRegisterForRemoteNotificationsWithError:), (IMP)didFailToRegister, @protocol(UIApplicationDelegate));
	addMethod(cls, @selector(userNotificationCenter:didReceiveNotificationResponse:withCompletionHandler:), (IMP)didReceiveResponse, @protocol(UNUserNotificationCenterDelegate));
}
@end

// chorus_push_permission answers at once; Go calls it off the main thread,
// and the settings arrive on a queue of their own.
int chorus_push_permission(void) {
	__block int state = chorusPushNotDetermined;
	dispatch_semaphore_t done = dispatch_semaphore_create(0);
	[UNUserNotificationCenter.currentNotificationCenter getNotificationSettingsWithCompletionHandler:^(UNNotificationSettings *settings) {
		switch (settings.authorizationStatus) {
		case UNAuthorizationStatusNotDetermined:
			state = chorusPushNotDetermined;
			break;
		case UNAuthorizationStatusDenied:
			state = chorusPushDenied;
			break;
		default:
			state = chorusPushAuthorizedState;
		}
		dispatch_semaphore_signal(done);
	}];
	dispatch_semaphore_wait(done, dispatch_time(DISPATCH_TIME_NOW, 5 * NSEC_PER_SEC));
	return state;
}

// chorus_push_request asks for permission (the system asks only the first
// time) and, when granted, registers for remote notifications; the token
// arrives through didRegister. Apple asks apps to register at every launch:
// the token can change.
void chorus_push_request(void) {
	UNAuthorizationOptions options = UNAuthorizationOptionAlert | UNAuthorizationOptionSound | UNAuthorizationOptionBadge;
	[UNUserNotificationCenter.currentNotificationCenter requestAuthorizationWithOptions:options
	                                                                completionHandler:^(BOOL granted, NSError *error) {
		chorusPushAuthorized(granted ? 1 : 0, error != nil ? (char *)error.localizedDescription.UTF8String : "");
		if (granted) {
			dispatch_async(dispatch_get_main_queue(), ^{
				[UIApplication.sharedApplication registerForRemoteNotifications];
			});
		}
	}];
}

void chorus_push_unregister(void) {
	dispatch_async(dispatch_get_main_queue(), ^{
		[UIApplication.sharedApplication unregisterForRemoteNotifications];
	});
}
